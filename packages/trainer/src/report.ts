// Report entry of @regstudy/trainer (`@regstudy/trainer/report`): re-exports only.
export { buildReport } from './report/build-report';
export type { ReportOptions, ReportResult } from './report/build-report';
export { buildTables, tableCells, tableToCsv, tableToMarkdown } from './report/tables';
export type { MeanStd, ModelTable, TableRow } from './report/tables';
export { bootstrapDiffCI, bootstrapMeanCI, mean, quantileSorted, std } from './report/stats';
export type { BootstrapCI, MeanCI } from './report/stats';
export { buildSweeps, isSweep, runSweepValues, sweepCsvColumns, sweepMetrics, sweepMetricTitles, sweepsToCsv, sweepTableCells, sweepToMarkdown } from './report/sweep';
export type { ModelSweep, SweepCell, SweepMetric, SweepOptions, SweepPenalty, SweepPoint } from './report/sweep';
export { sweepAxis, sweepChartData, sweepChartSpec, weightStatsChartSpec, weightStatsPoints } from './report/sweep-charts';
export type { SweepChartDatum, WeightStatsPoint } from './report/sweep-charts';
export { overlayChartSpec, renderSvg, runChartSpec, settingCurvesSpec } from './report/charts';
export type { SettingCurvePoint } from './report/charts';
export { readStudyResults } from './report/read-results';
export type { RunResult } from './report/read-results';
export { referenceSchema } from './report/reference';
export type { Reference, ReferencePoint, ReferenceRow } from './report/reference';
export { htmlTable, reportCss, reportHtml } from './report/html';
