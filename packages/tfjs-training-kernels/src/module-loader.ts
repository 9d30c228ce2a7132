/** Imports a module by name; injectable so that absent optional packages can be simulated in tests. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

/**
 * Default loader: a native dynamic `import()` of a computed specifier, so bundlers leave optional
 * peers (tfjs-node, tfjs-backend-wasm) alone and an absent package fails at run time only.
 */
export const importModule: ModuleLoader = (specifier) => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
