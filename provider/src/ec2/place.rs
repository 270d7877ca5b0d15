//! Where an EC2 object lives: a *place*, an (account, region) pair written as one string.
//! The engine carries it wherever it carried a region and never looks inside; only the
//! account router ([`super::accounts`]) and the resource's boundary split it.
//!
//! - `eu-west-1`: the provider's own account (so states written before accounts
//!   existed stay valid);
//! - `dev/eu-west-1`: the account under key `dev` of the provider's `accounts`.
//!
//! This module is the only one that builds or parses the `/`.

const SEPARATOR: char = '/';

/// The place of `region` in `account` (None: the provider's own account).
pub fn place(account: Option<&str>, region: &str) -> String {
    match account {
        Some(key) => format!("{key}{SEPARATOR}{region}"),
        None => region.to_string(),
    }
}

/// The account key (None: the provider's own account) and the bare region.
pub fn split(place: &str) -> (Option<&str>, &str) {
    match place.split_once(SEPARATOR) {
        Some((key, region)) => (Some(key), region),
        None => (None, place),
    }
}

/// The bare region of a place.
pub fn region_of(place: &str) -> &str {
    split(place).1
}

/// The account key of a place; None for the provider's own account.
pub fn account_of(place: &str) -> Option<&str> {
    split(place).0
}

/// A place as a message says it: `eu-west-1`, or `eu-west-1 in account "dev"`.
pub fn describe(place: &str) -> String {
    match split(place) {
        (Some(key), region) => format!("{region} in account \"{key}\""),
        (None, region) => region.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_round_trip_and_read_as_words() {
        assert_eq!(place(None, "eu-west-1"), "eu-west-1");
        assert_eq!(place(Some("dev"), "eu-west-1"), "dev/eu-west-1");
        assert_eq!(split("dev/eu-west-1"), (Some("dev"), "eu-west-1"));
        assert_eq!(split("eu-west-1"), (None, "eu-west-1"));
        assert_eq!(region_of("dev/eu-west-1"), "eu-west-1");
        assert_eq!(account_of("eu-west-1"), None);
        assert_eq!(describe("eu-west-1"), "eu-west-1");
        assert_eq!(describe("dev/eu-west-1"), "eu-west-1 in account \"dev\"");
    }
}
