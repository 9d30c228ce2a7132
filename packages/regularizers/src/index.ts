// Public API of @regstudy/regularizers: re-exports only.
export {};
