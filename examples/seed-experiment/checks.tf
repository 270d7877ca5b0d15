# Terraform 1.5 and later: a warning on every plan and apply whose connectivity differs
# from what the mesh topology expects. Older Terraform cannot parse `check` blocks:
# delete this file there (the outputs carry the same information).

check "seed_connectivity" {
  assert {
    condition     = data.peering_connectivity.seed.all_as_expected
    error_message = "Connectivity differs from the mesh topology: ${join(" ", data.peering_connectivity.seed.diagnosis)}"
  }
}
