//! `TF_LOG=trace` shows no secret: a provider configured with canary values (the secret
//! key, `assume_role.external_id`, credentials inside the endpoint URL) plans, applies and
//! destroys a small mesh against moto, on every Terraform version, and no canary appears
//! in stdout, stderr or the trace log (Terraform's lines and the provider's, which
//! Terraform copies into the same file). moto's AssumeRole session tokens all start with
//! the same bytes, so the assumed role's token is looked for too.

use acceptance_tests::mesh_checks::assert_nothing_left;
use acceptance_tests::mesh_fixture::{
    apply_mesh, mesh_workspace, MeshSpec, TopologySpec, VpcSpec, REGION,
};
use acceptance_tests::{for_each_terraform, CmdOutput, Ec2Check, MotoServer};

const SECRET_KEY: &str = "canary-secret-key-7f3a9c";
const EXTERNAL_ID: &str = "canary-external-id-51d2e8";
const ENDPOINT_PASSWORD: &str = "canarypass";
/// The start of every session token moto's STS issues.
const MOTO_SESSION_TOKEN_PREFIX: &str = "FQoGZXIvYXdzE";

fn spec() -> MeshSpec {
    MeshSpec {
        name: "secrets-lab".into(),
        vpcs: vec![
            VpcSpec::private("alpha", "10.61.0.0/16", "10.61.1.0/24"),
            VpcSpec::private("beta", "10.62.0.0/16", "10.62.1.0/24"),
        ],
        topology: TopologySpec::FullMesh,
        ssh_ingress_cidrs: vec![],
        dns_resolution: None,
        provider_settings: String::new(),
        vpcs_from_local: false,
    }
}

/// The provider block with every canary; moto serves STS on the EC2 port.
fn provider_block(moto: &MotoServer) -> String {
    let endpoint =
        moto.endpoint()
            .replacen("http://", &format!("http://user:{ENDPOINT_PASSWORD}@"), 1);
    format!(
        r#"provider "peering" {{
  region     = "{REGION}"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "{SECRET_KEY}"
  endpoints  = {{ ec2 = "{endpoint}", sts = "{endpoint}" }}
  assume_role = {{
    role_arn    = "arn:aws:iam::123456789012:role/x"
    external_id = "{EXTERNAL_ID}"
  }}
}}
"#
    )
}

#[track_caller]
fn assert_no_canary(what: &str, text: &str) {
    for canary in [
        SECRET_KEY,
        EXTERNAL_ID,
        ENDPOINT_PASSWORD,
        MOTO_SESSION_TOKEN_PREFIX,
    ] {
        if let Some(at) = text.find(canary) {
            let start = text[..at]
                .char_indices()
                .rev()
                .nth(200)
                .map_or(0, |(i, _)| i);
            let context: String = text[start..].chars().take(400).collect();
            panic!("{canary:?} appears in {what}:\n...{context}...");
        }
    }
}

fn check_output(step: &str, out: &CmdOutput) {
    assert_no_canary(&format!("the stdout of {step}"), &out.stdout);
    assert_no_canary(&format!("the stderr of {step}"), &out.stderr);
}

#[test]
fn trace_logs_show_no_secret() {
    let test = "trace_logs_show_no_secret";
    for_each_terraform(test, |tf| {
        let Some(moto) = MotoServer::require(test) else {
            return;
        };
        let spec = spec();
        let mut ws = mesh_workspace(test, tf, &moto, &spec);
        ws.write_main(&format!(
            "{}\n{}",
            provider_block(&moto),
            spec.render_resource()
        ));
        ws.set_env("TF_LOG", "trace");
        let init = ws.init();
        init.expect_success();
        check_output("init", &init);
        let plan = ws.plan();
        plan.expect_success();
        check_output("plan", &plan);
        apply_mesh(&ws);
        let destroy = ws.destroy();
        destroy.expect_success();
        check_output("destroy", &destroy);
        assert_nothing_left(&Ec2Check::new(&moto.endpoint(), REGION).snapshot());
        let log_path = ws.log_path();
        let log = std::fs::read_to_string(&log_path).expect("terraform trace log");
        // The log is the trace one and carries the provider's own lines.
        assert!(
            log.contains("[TRACE]"),
            "{} is no trace log",
            log_path.display()
        );
        assert!(
            log.contains("provider configured"),
            "the provider's lines are in {}",
            log_path.display()
        );
        assert_no_canary(&log_path.display().to_string(), &log);
    });
}
