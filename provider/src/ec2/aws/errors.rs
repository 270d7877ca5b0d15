//! From SDK errors to [`Ec2Error`] plus what the retry policy needs to know.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ErrorMetadata, ProvideErrorMetadata, SdkError};

use crate::ec2::attempts::AttemptError;
use crate::ec2::retry::Failure;
use crate::ec2::Ec2Error;

/// EC2 NotFound codes: the kind of object, and the prefix of its ids.
const NOT_FOUND: &[(&str, &str, &str)] = &[
    ("InvalidVpcID.NotFound", "VPC", "vpc-"),
    ("InvalidSubnetID.NotFound", "subnet", "subnet-"),
    ("InvalidRouteTableID.NotFound", "route table", "rtb-"),
    (
        "InvalidInternetGatewayID.NotFound",
        "internet gateway",
        "igw-",
    ),
    ("InvalidGatewayID.NotFound", "internet gateway", "igw-"),
    ("InvalidGroup.NotFound", "security group", "sg-"),
    ("InvalidGroupId.NotFound", "security group", "sg-"),
    (
        "InvalidVpcPeeringConnectionID.NotFound",
        "VPC peering connection",
        "pcx-",
    ),
    (
        "InvalidVpcPeeringConnectionId.NotFound",
        "VPC peering connection",
        "pcx-",
    ),
    (
        "InvalidAssociationID.NotFound",
        "route table association",
        "rtbassoc-",
    ),
    ("InvalidRoute.NotFound", "route", ""),
    ("InvalidPermission.NotFound", "security group rule", ""),
];

pub fn is_not_found_code(code: &str) -> bool {
    code.ends_with(".NotFound")
}

/// The id a NotFound message names (`The vpc ID 'vpc-123' does not exist`), else the
/// call's id of that kind, else all ids of the call.
fn id_in_message(message: &str, prefix: &str, ids: &[&str]) -> String {
    if !prefix.is_empty() {
        let word = message
            .split(|c: char| {
                c.is_whitespace() || matches!(c, '\'' | '"' | ',' | '[' | ']' | '(' | ')')
            })
            .find(|w| w.starts_with(prefix) && w.len() > prefix.len());
        if let Some(id) = word {
            return id.trim_end_matches(['.', ':']).to_string();
        }
        if let Some(id) = ids.iter().find(|id| id.starts_with(prefix)) {
            return id.to_string();
        }
    }
    ids.join(" ")
}

/// The id of the missing object, when a NotFound names one (not for routes and rules,
/// which have no ids of their own).
pub fn missing_object_id(err: &Ec2Error) -> Option<&str> {
    let Ec2Error::NotFound { kind, id } = err else {
        return None;
    };
    let (_, _, prefix) = NOT_FOUND.iter().find(|(_, k, _)| k == kind)?;
    (!prefix.is_empty() && id.starts_with(prefix)).then_some(id.as_str())
}

/// Maps one failed request. `ids` are the objects the call refers to (for messages).
pub fn attempt_error<E>(err: SdkError<E, HttpResponse>, ids: &[&str]) -> AttemptError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = err.code().map(str::to_string);
    let http_status = err.raw_response().map(|r| r.status().as_u16());
    // Credentials that cannot be had (a role STS refuses to grant, a profile without
    // keys) will not come with a retry: the call fails at once, naming why.
    let credentials = credentials_failure(&err);
    let transport = credentials.is_none()
        && matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        );
    let error = match &code {
        Some(code) => {
            let message = err.message().unwrap_or_default().to_string();
            match NOT_FOUND.iter().find(|(c, _, _)| c == code) {
                Some((_, kind, prefix)) => Ec2Error::NotFound {
                    kind,
                    id: id_in_message(&message, prefix, ids),
                },
                None if is_not_found_code(code) => Ec2Error::NotFound {
                    kind: "object",
                    id: id_in_message(&message, "", ids),
                },
                None => Ec2Error::Api {
                    code: code.clone(),
                    message,
                },
            }
        }
        None => match http_status {
            Some(status) => Ec2Error::Api {
                code: format!("HTTP {status}"),
                message: format!("EC2 answered HTTP {status} without an error code"),
            },
            None => Ec2Error::Transport(credentials.unwrap_or_else(|| transport_sentence(&err))),
        },
    };
    AttemptError {
        failure: Failure {
            code,
            http_status,
            transport,
        },
        error,
        created_at: None,
    }
}

/// The credentials provider's reason when the request failed for want of credentials
/// (the cause chain holds a `CredentialsError`), in words.
fn credentials_failure<E, R>(err: &SdkError<E, R>) -> Option<String>
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(e) = cause.downcast_ref::<CredentialsError>() {
            let mut why = vec![e.to_string()];
            for text in cause_texts(std::error::Error::source(e)) {
                if why.last() != Some(&text) {
                    why.push(text);
                }
            }
            return Some(format!("no credentials could be had ({})", why.join(": ")));
        }
        source = cause.source();
    }
    None
}

/// What went wrong before EC2 answered, in words: the kind of failure and each
/// underlying cause ([`cause_texts`]). Not the SDK's own error-context formatter: it
/// ends with a raw dump of the whole error, which must never reach a user.
fn transport_sentence<E, R>(err: &SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let what = match err {
        SdkError::DispatchFailure(_) => "the connection to EC2 failed before an answer came back",
        SdkError::TimeoutError(_) => "EC2 did not answer in time",
        SdkError::ResponseError(_) => "EC2's answer could not be read",
        SdkError::ConstructionFailure(_) => "the request could not be built",
        _ => "the request failed",
    };
    let causes = cause_texts(std::error::Error::source(err));
    if causes.is_empty() {
        what.to_string()
    } else {
        format!("{what} ({})", causes.join(": "))
    }
}

/// `first` and the causes under it, each once, as sentences: their Display text, except AWS's
/// error metadata (an answer from STS or EC2), whose Display is a struct dump, which reads
/// as its code and message (`AccessDenied: User ... is not authorized ...`).
fn cause_texts(first: Option<&(dyn std::error::Error + 'static)>) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let mut source = first;
    while let Some(cause) = source {
        let text = match cause.downcast_ref::<ErrorMetadata>() {
            Some(meta) => [meta.code(), meta.message()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
            None => cause.to_string(),
        };
        if !text.is_empty() && texts.last() != Some(&text) {
            texts.push(text);
        }
        source = cause.source();
    }
    texts
}

/// Deletes: NotFound means the object is gone already.
pub fn gone_is_done(result: Result<(), Ec2Error>) -> Result<(), Ec2Error> {
    match result {
        Err(Ec2Error::NotFound { .. }) => Ok(()),
        other => other,
    }
}

pub fn api_code(err: &Ec2Error) -> Option<&str> {
    match err {
        Ec2Error::Api { code, .. } => Some(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_cut_off_reads_as_a_sentence_without_debug_text() {
        use aws_sdk_ec2::error::ConnectorError;
        use aws_sdk_ec2::operation::create_vpc::CreateVpcError;
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection closed before message completed",
        );
        let err: SdkError<CreateVpcError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let out = attempt_error(err, &["vpc-1"]);
        assert!(out.failure.transport);
        let text = out.error.to_string();
        assert!(
            text.starts_with("the connection to EC2 failed before an answer came back"),
            "{text}"
        );
        assert!(
            text.contains("connection closed before message completed"),
            "{text}"
        );
        for debug in ["DispatchFailure", "ConnectorError", "{", "Some("] {
            assert!(!text.contains(debug), "{debug} in {text}");
        }
        assert!(out.error.may_have_taken_effect());
    }

    #[test]
    fn finds_ids_in_not_found_messages() {
        let m = "The vpcPeeringConnection ID 'pcx-0abc12' does not exist";
        assert_eq!(id_in_message(m, "pcx-", &["rtb-1"]), "pcx-0abc12");
        assert_eq!(
            id_in_message("The vpc ID 'vpc-1' does not exist", "vpc-", &[]),
            "vpc-1"
        );
        assert_eq!(
            id_in_message("no route with destination", "", &["rtb-1"]),
            "rtb-1"
        );
        assert_eq!(
            id_in_message("nothing useful", "pcx-", &["rtb-1", "pcx-9"]),
            "pcx-9"
        );
        let route = Ec2Error::NotFound {
            kind: "route",
            id: "rtb-1".into(),
        };
        assert_eq!(missing_object_id(&route), None);
        let pcx = Ec2Error::NotFound {
            kind: "VPC peering connection",
            id: "pcx-9".into(),
        };
        assert_eq!(missing_object_id(&pcx), Some("pcx-9"));
        assert!(is_not_found_code("InvalidRoute.NotFound"));
        assert!(!is_not_found_code("InvalidParameterValue"));
    }

    #[test]
    fn a_role_sts_refuses_reads_as_its_code_and_message_at_once() {
        use aws_credential_types::provider::error::CredentialsError;
        use aws_sdk_ec2::operation::create_vpc::CreateVpcError;
        let refusal = ErrorMetadata::builder()
            .code("AccessDenied")
            .message("User: u is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/r")
            .build();
        let credentials = CredentialsError::provider_error(refusal);
        let err: SdkError<CreateVpcError, HttpResponse> = SdkError::dispatch_failure(
            aws_sdk_ec2::error::ConnectorError::other(Box::new(credentials), None),
        );
        let out = attempt_error(err, &[]);
        assert!(!out.failure.transport, "no credentials: not worth a retry");
        let text = out.error.to_string();
        assert!(text.starts_with("no credentials could be had ("), "{text}");
        assert!(
            text.contains("AccessDenied: User: u is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/r"),
            "{text}"
        );
        for debug in ["Error {", "code:", "Some("] {
            assert!(!text.contains(debug), "{debug} in {text}");
        }
    }
}
