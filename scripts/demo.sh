#!/usr/bin/env bash
# `make demo`: part 1 (scripts/demo-mesh.sh) applies the four-VPC seed mesh
# against a local EC2 emulator, prints its peerings and routes and destroys it;
# part 2 (scripts/demo-lab.sh, root only: network namespaces) tells the seed
# experiment: the mesh, its servers and their connectivity in a lab of
# namespaces mirrored from the emulator, chapter by chapter.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

echo "######## part 1: peering_mesh against the local EC2 emulator ########"
"$ROOT/scripts/demo-mesh.sh"
echo
echo "######## part 2: the seed experiment in a network lab ########"
if [ "$(id -u)" != 0 ]; then
    echo "demo: skipped: the lab needs root (network namespaces and ICMP inside them); run 'sudo make demo'."
    exit 0
fi
"$ROOT/scripts/demo-lab.sh"
