// Report entry of @regstudy/trainer (`@regstudy/trainer/report`): re-exports only.
export { buildReport } from './report/build-report';
export type { ReportOptions, ReportResult } from './report/build-report';
export { buildTables, tableCells, tableToCsv, tableToMarkdown } from './report/tables';
export type { MeanStd, ModelTable, TableRow } from './report/tables';
export { bootstrapDiffCI, mean, quantileSorted, std } from './report/stats';
export type { BootstrapCI } from './report/stats';
export { overlayChartSpec, renderSvg, runChartSpec, settingCurvesSpec } from './report/charts';
export type { SettingCurvePoint } from './report/charts';
export { readStudyResults } from './report/read-results';
export type { RunResult } from './report/read-results';
export { referenceSchema } from './report/reference';
export type { Reference, ReferencePoint, ReferenceRow } from './report/reference';
export { reportHtml } from './report/html';
