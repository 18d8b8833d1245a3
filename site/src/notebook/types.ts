// The nbformat 4 types are shared with the notebook harness and the grader.
export * from "../../../scripts/notebooks/format.ts";
