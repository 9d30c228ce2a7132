// Report entry of @regstudy/trainer (`@regstudy/trainer/report`): re-exports only.
export {};
