//! `apimguard offboard --service ID --api NAME`: a one-action plan (delete the API's
//! Defender for APIs collection, [`crate::app::remediate::offboard_plan`]), printed, and
//! with `--apply` made like `remediate`'s.

use super::remediate::{apply_options, execute, settings};
use crate::app::remediate::{offboard_plan, Run};
use crate::cli::OffboardArgs;
use crate::remediate::Settings;

/// Runs `offboard` and returns its exit code.
pub fn run(args: &OffboardArgs) -> miette::Result<u8> {
    let plan = offboard_plan(&args.service, &args.api)?;
    execute(
        Run {
            plan,
            settings: settings(
                Settings {
                    max_changes: 1,
                    ..Settings::default()
                },
                None,
                &args.apply,
            ),
            command: "offboard",
            resume: None,
            apply: apply_options(&args.apply),
            connection: args.connection.options(),
        },
        args.format,
    )
}
