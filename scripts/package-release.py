#!/usr/bin/env python3
"""Packages a built terraform-provider-peering binary the way `terraform init`
consumes a registry release, into DIST (default `dist/`):

  terraform-provider-peering_<V>_<os>_<arch>.zip   the binary, as terraform-provider-peering_v<V>
  terraform-provider-peering_<V>_manifest.json      plugin protocol versions (6.0)
  terraform-provider-peering_<V>_SHA256SUMS         sha256 of every zip of <V> and of the manifest
  mirror/<host>/<namespace>/<type>/                 a provider mirror, usable both ways:
      index.json, <V>.json                          network mirror (served over https)
      terraform-provider-peering_<V>_<os>_<arch>.zip  packed filesystem mirror

Any built binary will do (`--binary` or PEERING_PROVIDER_BIN): `make release`
passes the release build, the acceptance test the debug build CI already has.
Running it once per platform (`--os`/`--arch`) adds that platform; the sums, the
manifest and the mirror's JSON always list every zip of the version in DIST.

The zips are reproducible: fixed timestamps and modes, so the same binary gives
the same bytes and the same `zh:` hash. Only the Python standard library is used
(no `zip` program is assumed on the machine).
"""
import argparse
import base64
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The provider's registry address (provider/src/lib.rs ADDRESS).
HOST, NAMESPACE, TYPE = "registry.terraform.io", "peeringmesh", "peering"
NAME = f"terraform-provider-{TYPE}"
PROTOCOL_VERSIONS = ["6.0"]
# The earliest time a zip can record; any fixed time makes the bytes reproducible.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20


class Failure(Exception):
    """What went wrong, in words for the person running `make release`."""


def cargo_version():
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["workspace"]["package"]["version"]


def host_platform():
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
    machine = platform.machine().lower()
    return platform.system().lower(), arch.get(machine, machine)


def check_binary_version(binary, version):
    """A binary for this machine must report the version it is packaged as:
    catches a stale build packaged under a new version number."""
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60
        )
    except OSError as e:
        raise Failure(f"could not run {binary} --version to check its version: {e}")
    if out.returncode != 0 or f" v{version} " not in f" {out.stdout} ":
        raise Failure(
            f"{binary} reports {out.stdout.strip() or out.stderr.strip()!r}, "
            f"but Cargo.toml's version is {version}: rebuild it before packaging"
        )


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def write_zip(binary, zip_path, member):
    """One executable member, deflated, with fixed time and mode."""
    info = zipfile.ZipInfo(member, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so that unzip honours the mode below
    info.external_attr = 0o100755 << 16
    # Known in advance, so that zip64 records are written only past 4 GiB.
    info.file_size = binary.stat().st_size
    tmp = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as z, open(binary, "rb") as src:
        with z.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    os.replace(tmp, zip_path)


def h1_of_zip(zip_path):
    """Terraform's `h1:` package hash (Go's dirhash "Hash1") of the zip's contents:
    sha256 over the sorted lines "<sha256 hex>  <member name>\\n"."""
    lines = []
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(z.namelist()):
            h = hashlib.sha256()
            with z.open(name) as member:
                while chunk := member.read(CHUNK):
                    h.update(chunk)
            lines.append(f"{h.hexdigest()}  {name}\n")
    digest = hashlib.sha256("".join(lines).encode()).digest()
    return "h1:" + base64.b64encode(digest).decode()


def link_or_copy(src, dst):
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def write_json(path, value):
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def zips_of(dist, version):
    """(platform, path) of every zip of `version` in DIST, sorted by platform."""
    pattern = re.compile(rf"{re.escape(NAME)}_{re.escape(version)}_([a-z0-9]+_[a-z0-9]+)\.zip")
    found = []
    for path in sorted(dist.iterdir()):
        m = pattern.fullmatch(path.name)
        if m:
            found.append((m.group(1), path))
    return found


def write_release_files(dist, version):
    manifest = dist / f"{NAME}_{version}_manifest.json"
    write_json(manifest, {"version": 1, "metadata": {"protocol_versions": PROTOCOL_VERSIONS}})
    # The registry's SHA256SUMS lists the zips and the manifest, in sha256sum's format.
    files = [path for _, path in zips_of(dist, version)] + [manifest]
    sums = "".join(f"{sha256_file(p)}  {p.name}\n" for p in sorted(files, key=lambda p: p.name))
    (dist / f"{NAME}_{version}_SHA256SUMS").write_text(sums)


def write_mirror(dist, version):
    """The provider network mirror protocol's JSON next to packed zips."""
    mirror = dist / "mirror" / HOST / NAMESPACE / TYPE
    mirror.mkdir(parents=True, exist_ok=True)
    archives = {}
    for target, path in zips_of(dist, version):
        link_or_copy(path, mirror / path.name)
        archives[target] = {
            # Relative to <version>.json's own URL: the zip sits beside it.
            "url": path.name,
            "hashes": [h1_of_zip(path), "zh:" + sha256_file(path)],
        }
    write_json(mirror / f"{version}.json", {"archives": archives})
    versions = {p.stem: {} for p in mirror.glob("*.json") if p.name != "index.json"}
    write_json(mirror / "index.json", {"versions": dict(sorted(versions.items()))})
    return mirror


def main(argv):
    host_os, host_arch = host_platform()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--binary",
        default=os.environ.get("PEERING_PROVIDER_BIN"),
        help="the built provider binary (default: $PEERING_PROVIDER_BIN)",
    )
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (default: dist/)")
    parser.add_argument("--os", default=host_os, help=f"target OS (default: {host_os})")
    parser.add_argument("--arch", default=host_arch, help=f"target architecture (default: {host_arch})")
    parser.add_argument("--version", default=None, help="release version (default: Cargo.toml's)")
    args = parser.parse_args(argv)
    if not args.binary:
        raise Failure("no binary to package: pass --binary PATH or set PEERING_PROVIDER_BIN")
    binary = Path(args.binary)
    if not binary.is_file():
        raise Failure(f"no binary to package at {binary}: build it first (make release does)")
    version = args.version or cargo_version()
    target = f"{args.os}_{args.arch}"
    if not re.fullmatch(r"[a-z0-9]+_[a-z0-9]+", target):
        raise Failure(f"--os and --arch must be lowercase letters and digits, got {target!r}")
    if (args.os, args.arch) == (host_os, host_arch):
        check_binary_version(binary, version)

    dist = Path(args.dist)
    dist.mkdir(parents=True, exist_ok=True)
    zip_path = dist / f"{NAME}_{version}_{target}.zip"
    write_zip(binary, zip_path, f"{NAME}_v{version}")
    write_release_files(dist, version)
    mirror = write_mirror(dist, version)
    print(f"packaged {binary} as {NAME} {version} for {target}:")
    for path in sorted(dist.glob(f"{NAME}_{version}_*")):
        print(f"  {path}")
    print(f"  provider mirror: {mirror.parent.parent.parent}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as e:
        print(f"package-release: {e}", file=sys.stderr)
        sys.exit(1)
