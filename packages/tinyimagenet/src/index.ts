// Public API of @regstudy/tinyimagenet: re-exports only.
export {};
