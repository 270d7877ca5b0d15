//! Tests of the peering_mesh resource through the Resource trait, against FakeEc2.
