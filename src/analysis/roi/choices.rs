//! What `roi` can be asked for: the grouping (`--by`) and the models
//! (`--model`, one or all), as typed choices.

use crate::analysis::attribution::Model;

/// What roi groups by (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GroupBy {
    #[default]
    #[value(name = "source")]
    Source,
    #[value(name = "campaign_id")]
    CampaignId,
}

impl GroupBy {
    /// The leads, spend and touches column it names.
    pub fn column(self) -> &'static str {
        match self {
            GroupBy::Source => "source",
            GroupBy::CampaignId => "campaign_id",
        }
    }
}

/// Which models to run (`--model`): one, or every one the data set can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Models {
    One(Model),
    All,
}

const MODEL_CHOICES: [Models; 11] = [
    Models::One(Model::LeadSource),
    Models::One(Model::FirstTouch),
    Models::One(Model::LastTouch),
    Models::One(Model::Linear),
    Models::One(Model::PositionBased),
    Models::One(Model::UShaped),
    Models::One(Model::WShaped),
    Models::One(Model::FullPath),
    Models::One(Model::TimeDecay),
    Models::One(Model::Markov),
    Models::All,
];

impl clap::ValueEnum for Models {
    fn value_variants<'a>() -> &'a [Self] {
        &MODEL_CHOICES
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            Models::One(m) => m.name(),
            Models::All => "all",
        }))
    }
}
