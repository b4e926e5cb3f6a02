/** Confident learning lives in util/ (models use it to leave label errors out of a fit); re-exported for diagnose. */
export { findLabelIssues, type LabelIssue, type LabelIssueResult } from "../util/label-issues.js";
