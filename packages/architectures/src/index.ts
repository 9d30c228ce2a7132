// Public API of @regstudy/architectures: re-exports only.
export {};
