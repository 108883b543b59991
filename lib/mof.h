/* SPDX-License-Identifier: Apache-2.0 */
/* The Model Openness Framework: its 17 components, and a class evaluation as the MOF tool does it.
 */
#ifndef OSP_MOF_H
#define OSP_MOF_H

#include "common.h"

/* The content type a MOF component holds, which a license may or may not be meant for. */
enum osp_mof_type { OSP_MOF_CODE, OSP_MOF_DATA, OSP_MOF_DOC };

/* The components, in the order of the table below: class III, then II, then I. */
enum osp_mof_component {
	OSP_MOF_ARCHITECTURE,	     /* Model architecture (III) */
	OSP_MOF_PARAMS_FINAL,	     /* Model parameters (Final) (III) */
	OSP_MOF_TECH_REPORT,	     /* Technical report (III) */
	OSP_MOF_EVAL_RESULTS,	     /* Evaluation results (III) */
	OSP_MOF_MODEL_CARD,	     /* Model card (III) */
	OSP_MOF_DATA_CARD,	     /* Data card (III) */
	OSP_MOF_SAMPLE_OUTPUTS,	     /* Sample model outputs (III, optional) */
	OSP_MOF_TRAINING_CODE,	     /* Training code (II) */
	OSP_MOF_INFERENCE_CODE,	     /* Inference code (II) */
	OSP_MOF_EVAL_CODE,	     /* Evaluation code (II) */
	OSP_MOF_EVAL_DATA,	     /* Evaluation data (II) */
	OSP_MOF_LIBRARIES,	     /* Supporting libraries and tools (II, optional) */
	OSP_MOF_DATASETS,	     /* Datasets (I) */
	OSP_MOF_PREPROCESSING,	     /* Data preprocessing code (I) */
	OSP_MOF_PARAMS_INTERMEDIATE, /* Model parameters (Intermediate) (I) */
	OSP_MOF_RESEARCH_PAPER,	     /* Research paper (I) */
	OSP_MOF_METADATA,	     /* Model metadata (I, optional) */
	OSP_MOF_NCOMPONENTS
};

struct osp_mof_component_info {
	int tool_id;	  /* the MOF tool's component id */
	const char *name; /* as model files spell it */
	enum osp_mof_type type;
	int mof_class; /* 3, 2 or 1 */
	bool required;
	const char *description; /* as the MOF describes the component */
};

/* The version of the framework the 17 components come from, and its date. */
#define OSP_MOF_VERSION "1.0"
#define OSP_MOF_DATE "2024-12-15"

/* The 17 components, indexed by enum osp_mof_component. */
extern const struct osp_mof_component_info osp_mof_components[OSP_MOF_NCOMPONENTS];
/* The component of that name (exact, as the tool matches it), or -1. */
int osp_mof_component_find(const char *name);
/* "code", "data" or "document". */
const char *osp_mof_type_name(enum osp_mof_type t);

/* What the evaluation is given: each component, present or not, with its license. */
struct osp_mof_input {
	struct osp_mof_part {
		bool present;
		/*
		 * The component's license, as written (borrowed): an SPDX expression, most
		 * often a single identifier. NULL, empty or "unlicensed" mean no license.
		 */
		const char *license;
		enum osp_mof_type type; /* the content type it holds */
	} part[OSP_MOF_NCOMPONENTS];
};

/* Every component absent, each with its table content type. */
void osp_mof_input_init(struct osp_mof_input *in);

enum osp_mof_status {
	OSP_MOF_NOT_COUNTED = 0,  /* in a class's view: not among the components it counts */
	OSP_MOF_INCLUDED,	  /* present under an open license meant for its content type */
	OSP_MOF_INCLUDED_WARNING, /* present under an open license meant for other content */
	OSP_MOF_UNLICENSED,	  /* present without a license */
	OSP_MOF_INVALID,	  /* present under a license that is not open, or unreadable */
	OSP_MOF_MISSING,	  /* absent */
};

struct osp_mof_eval {
	/* Each component's own status (never NOT_COUNTED). */
	enum osp_mof_status status[OSP_MOF_NCOMPONENTS];
	/*
	 * counted[c] (c = 1, 2, 3): the status of each component class c counts (the required
	 * components of class c and every class above it), NOT_COUNTED for the others.
	 */
	enum osp_mof_status counted[4][OSP_MOF_NCOMPONENTS];
	unsigned included[4];  /* [c]: included components among those class c counts */
	unsigned total[4];     /* [c]: how many class c needs */
	double progress[4];    /* [c]: percent of class c met, 0 to 100 */
	double total_progress; /* the mean of the three */
	int mof_class;	       /* 1, 2 or 3; 0: unclassified */
	/* The research paper stands in for the missing technical report in classes III and II. */
	bool paper_for_report;
};

/*
 * Evaluates which MOF class the components reach, as the Model Openness Tool does:
 * cumulative classes, the research paper standing in for the technical report,
 * progress computed class by class from class III down.
 */
void osp_mof_evaluate(const struct osp_mof_input *in, struct osp_mof_eval *out);

/* One component's status from its presence, license text and content type. */
enum osp_mof_status osp_mof_license_status(bool present, const char *license,
					   enum osp_mof_type type);

/* "Class I - Open Science Model" ... "Unclassified". */
const char *osp_mof_class_label(int mof_class);
/* "I", "II", "III"; "-" for 0. */
const char *osp_mof_class_roman(int mof_class);
/* "included", "included-type-warning", "unlicensed", "invalid-license", "missing", "not-counted".
 */
const char *osp_mof_status_name(enum osp_mof_status s);

/* A model file of the Model Openness Tool, as loaded. */
struct osp_mof_model {
	char *name;    /* release.name */
	char *version; /* release.version; "" when absent */
	/*
	 * The components listed, each license resolved as the tool does: the component's own
	 * license key when present (empty: unlicensed), else the release's license for its
	 * content type, else the release's distribution license, else none.
	 */
	struct osp_mof_input in;
	struct osp_strv strings; /* owns the licenses in points to */
};

/* Bounds on the model files osp_mof_load() reads. */
#define OSP_MOF_MAX_FILE (4u << 20) /* bytes */
#define OSP_MOF_MAX_NODES 100000    /* YAML events */
#define OSP_MOF_MAX_DEPTH 32	    /* nested collections */

/*
 * Reads a model file (YAML). Tolerates keys it does not use; an unknown or repeated
 * component name, a value of the wrong type, a file too large or nested too deep is
 * OSPACK_EINPUT with "file:line:col: " before the message.
 */
ospack_error osp_mof_load(struct ospack_ctx *ctx, const char *path, struct osp_mof_model **out);
/* The same from memory; file names it in messages. */
ospack_error osp_mof_parse(struct ospack_ctx *ctx, const char *file, const char *text, size_t len,
			   struct osp_mof_model **out);
void osp_mof_model_free(struct osp_mof_model *m);

/* The report of ospack_check_mof(), for a model and its evaluation. */
char *osp_mof_report_text(const struct osp_mof_model *m, const struct osp_mof_eval *ev);
char *osp_mof_report_json(const struct osp_mof_model *m, const struct osp_mof_eval *ev);

#endif
