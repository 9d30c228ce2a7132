// Public API of @regstudy/trainer: re-exports only.
export {};
