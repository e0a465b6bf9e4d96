"""The field names of result.json, per kind of object, as `ResultDocument` writes them.

Generated from Sources/SGDynJobs/Result/ResultDocument.swift (do not edit: run
`SGDYN_UPDATE_DOCS=1 swift test --filter ResultDocsTests`); a Swift test fails when this file is
stale. The scripts read result.json through these names, so a field renamed or removed there
fails here by name (AttributeError) instead of reading as missing.
"""

FIELDS = {
    "": ("status", "name", "submitter", "kind", "sgdyn_version", "error", "job", "data_set", "warnings", "weights_from", "points", "max_rel_deviation", "files", "timing",),
    "error": ("message", "key", "line", "column",),
    "data_set": ("train_samples", "test_samples", "inputs",),
    "weights_from[]": ("key", "from", "path", "sha256",),
    "points[]": ("index", "parameters", "folder", "runs", "final_eg_mean", "final_eg_stderr", "final_eg_ode", "final_cerr_mean", "final_cerr_stderr", "stopped_early", "mean_stop_t", "ode", "max_rel_deviation",),
    "points[].runs[]": ("seed", "final_eg", "final_et", "final_eg_mc", "final_cerr", "final_cerr_train", "steps", "complete", "csv", "diverged_at", "stopped_early", "final_eg_ode", "max_rel_deviation",),
    "points[].runs[].stopped_early": ("t", "step", "eg", "stop_below", "reason",),
    "points[].ode[]": ("seed", "final_eg", "csv", "method", "steps", "rejected_steps", "rhs_evaluations", "error_estimate", "diverged_at", "under_resolved_from", "under_resolved_evaluations",),
    "…diverged_at": ("t", "step",),
    "…max_rel_deviation": ("value", "t", "point", "seed", "eg_simulation", "eg_ode",),
    "files": ("readme", "page", "job", "summary", "log", "manifest", "trajectories", "plots", "weights",),
    "timing": ("started_at", "finished_at", "wall_seconds", "steps", "steps_per_second", "resumes",),
}

STATUS = "status"
NAME = "name"
SUBMITTER = "submitter"
KIND = "kind"
SGDYN_VERSION = "sgdyn_version"
ERROR = "error"
JOB = "job"
DATA_SET = "data_set"
WARNINGS = "warnings"
WEIGHTS_FROM = "weights_from"
POINTS = "points"
MAX_REL_DEVIATION = "max_rel_deviation"
FILES = "files"
TIMING = "timing"
MESSAGE = "message"
KEY = "key"
LINE = "line"
COLUMN = "column"
TRAIN_SAMPLES = "train_samples"
TEST_SAMPLES = "test_samples"
INPUTS = "inputs"
FROM = "from"
PATH = "path"
SHA256 = "sha256"
INDEX = "index"
PARAMETERS = "parameters"
FOLDER = "folder"
RUNS = "runs"
FINAL_EG_MEAN = "final_eg_mean"
FINAL_EG_STDERR = "final_eg_stderr"
FINAL_EG_ODE = "final_eg_ode"
FINAL_CERR_MEAN = "final_cerr_mean"
FINAL_CERR_STDERR = "final_cerr_stderr"
STOPPED_EARLY = "stopped_early"
MEAN_STOP_T = "mean_stop_t"
ODE = "ode"
SEED = "seed"
FINAL_EG = "final_eg"
FINAL_ET = "final_et"
FINAL_EG_MC = "final_eg_mc"
FINAL_CERR = "final_cerr"
FINAL_CERR_TRAIN = "final_cerr_train"
STEPS = "steps"
COMPLETE = "complete"
CSV = "csv"
DIVERGED_AT = "diverged_at"
T = "t"
STEP = "step"
EG = "eg"
STOP_BELOW = "stop_below"
REASON = "reason"
METHOD = "method"
REJECTED_STEPS = "rejected_steps"
RHS_EVALUATIONS = "rhs_evaluations"
ERROR_ESTIMATE = "error_estimate"
UNDER_RESOLVED_FROM = "under_resolved_from"
UNDER_RESOLVED_EVALUATIONS = "under_resolved_evaluations"
VALUE = "value"
POINT = "point"
EG_SIMULATION = "eg_simulation"
EG_ODE = "eg_ode"
README = "readme"
PAGE = "page"
SUMMARY = "summary"
LOG = "log"
MANIFEST = "manifest"
TRAJECTORIES = "trajectories"
PLOTS = "plots"
WEIGHTS = "weights"
STARTED_AT = "started_at"
FINISHED_AT = "finished_at"
WALL_SECONDS = "wall_seconds"
STEPS_PER_SECOND = "steps_per_second"
RESUMES = "resumes"
