//! The sales pipeline: a few stages, each entered by one anchor action.
//!
//! Rigid pipelines fail in the field: twelve stages with mandatory forms make reps fake their
//! records. Here a company keeps a handful of stages, and entering a stage asks for exactly one
//! thing that proves it (the requirements document uploaded, the NDA signed, the quote sent...).
//! Stages may be skipped — real customers jump straight to the contract — but a stage is never
//! entered without its anchor, so the stage a manager sees is true.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A pipeline stage and the action that enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "uniffi",
    derive(uniffi::Record),
    uniffi(name = "PipelineStage")
)]
pub struct Stage {
    /// Stable key stored in records (`requirements_confirmed`).
    pub key: String,
    /// What reps see (需求确认).
    pub label: String,
    /// Key of the anchor action (`requirements_uploaded`).
    pub anchor: String,
    /// What reps see for the anchor (上传需求文档).
    pub anchor_label: String,
}

/// The ordered stages of a company's pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    stages: Vec<Stage>,
}

impl Pipeline {
    /// A pipeline from the company's own stages. Keys must be unique and non-empty.
    pub fn new(stages: Vec<Stage>) -> Result<Self> {
        if stages.is_empty() {
            return Err(Error::invalid("pipeline", "needs at least one stage"));
        }
        for (i, stage) in stages.iter().enumerate() {
            if stage.key.trim().is_empty() || stage.anchor.trim().is_empty() {
                return Err(Error::invalid(
                    "pipeline",
                    "a stage needs a key and an anchor",
                ));
            }
            if stages[..i].iter().any(|s| s.key == stage.key) {
                return Err(Error::invalid("pipeline", "stage keys must be unique"));
            }
        }
        Ok(Pipeline { stages })
    }

    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    /// Checks that `anchor` is the action that enters `stage_key`.
    pub(crate) fn check_entry(&self, stage_key: &str, anchor: &str) -> Result<&Stage> {
        let stage = self
            .stage(stage_key)
            .ok_or_else(|| Error::invalid("stage", "unknown pipeline stage"))?;
        if stage.anchor != anchor {
            return Err(Error::invalid(
                "stage",
                format!(
                    "entering {} requires its anchor action {} ({})",
                    stage.label, stage.anchor_label, stage.anchor
                ),
            ));
        }
        Ok(stage)
    }
}

impl Default for Pipeline {
    /// Five stages, as the field teams we learned from settled on.
    fn default() -> Self {
        let stage = |key: &str, label: &str, anchor: &str, anchor_label: &str| Stage {
            key: key.into(),
            label: label.into(),
            anchor: anchor.into(),
            anchor_label: anchor_label.into(),
        };
        Pipeline {
            stages: vec![
                stage(
                    "needs_confirmed",
                    "需求确认",
                    "requirements_uploaded",
                    "上传需求文档",
                ),
                stage("solution_agreed", "方案共识", "nda_signed", "签署保密协议"),
                stage("negotiation", "商务谈判", "quote_sent", "发送报价单"),
                stage(
                    "legal_review",
                    "法务审核",
                    "contract_submitted",
                    "提交合同审核",
                ),
                stage("implementation", "实施启动", "kickoff_held", "召开启动会"),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_is_entered_only_with_its_own_anchor_action() {
        let pipeline = Pipeline::default();
        assert_eq!(pipeline.stages().len(), 5);
        assert!(pipeline.check_entry("negotiation", "quote_sent").is_ok());
        let err = pipeline
            .check_entry("negotiation", "nda_signed")
            .unwrap_err();
        assert!(err.to_string().contains("quote_sent"), "{err}");
        assert!(pipeline.check_entry("no_such_stage", "quote_sent").is_err());
    }

    #[test]
    fn a_company_pipeline_with_duplicate_keys_is_refused() {
        let s = Pipeline::default().stages()[0].clone();
        assert!(Pipeline::new(vec![s.clone(), s]).is_err());
        assert!(Pipeline::new(vec![]).is_err());
    }
}
