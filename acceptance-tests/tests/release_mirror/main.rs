//! The release packaging step of `make release` (scripts/package-release.py),
//! checked the way users consume a release: its files have the registry's
//! layout and are reproducible, and every supported Terraform installs the
//! packaged provider from them, served as a `network_mirror` over HTTPS on
//! loopback and read as a packed `filesystem_mirror`, checking the published
//! `zh:` hash and recording the published `h1:` in `.terraform.lock.hcl`. The provider packaged is the binary the
//! other acceptance tests use (the debug build in `make test`): no second
//! profile is built here.

mod https_files;
mod package;

use acceptance_tests::workspace::PROVIDER_SOURCE;
use acceptance_tests::CmdOutput;
use acceptance_tests::{for_each_terraform, provider_binary, Terraform, Workspace};
use https_files::HttpsFiles;
use package::{
    fake_provider, h1_of_binary, host_platform, lock_hashes, read, read_json, type_dir, zh_of,
    zip_name, NAME, VERSION,
};
use serde_json::json;

#[test]
fn release_files_have_the_registry_layout_and_are_reproducible() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let binary = tmp.path().join("provider");
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    fake_provider(&binary, VERSION);
    package::package(&binary, &first, &[]).expect_success();
    // The same bytes with another modification time package to the same zip.
    std::fs::File::options()
        .write(true)
        .open(&binary)
        .and_then(|f| {
            f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30))
        })
        .expect("changing the binary's modification time");
    package::package(&binary, &second, &[]).expect_success();

    let platform = host_platform();
    let zip = first.join(zip_name(&platform));
    let manifest = first.join(format!("{NAME}_{VERSION}_manifest.json"));
    assert_eq!(
        read(&zip),
        read(&second.join(zip_name(&platform))),
        "the same binary packages to the same zip bytes"
    );
    assert_eq!(
        read_json(&manifest),
        json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    let sums = String::from_utf8(read(&first.join(format!("{NAME}_{VERSION}_SHA256SUMS"))))
        .expect("SHA256SUMS is text");
    assert_eq!(
        sums,
        format!(
            "{}  {}\n{}  {NAME}_{VERSION}_manifest.json\n",
            &zh_of(&zip)[3..],
            zip_name(&platform),
            package::sha256_hex(&read(&manifest)),
        ),
        "sha256sum's format, the zip and the manifest, sorted by name"
    );

    let mirror = type_dir(&first);
    assert_eq!(
        read_json(&mirror.join("index.json")),
        json!({"versions": {VERSION: {}}})
    );
    assert_eq!(
        read_json(&mirror.join(format!("{VERSION}.json"))),
        json!({"archives": {platform.as_str(): {
            "url": zip_name(&platform),
            "hashes": [h1_of_binary(&binary), zh_of(&zip)],
        }}})
    );
    assert_eq!(
        read(&mirror.join(zip_name(&platform))),
        read(&zip),
        "the packed mirror holds the release zip"
    );

    // Another platform's binary joins the same release (it cannot be run here,
    // so its version is not asked).
    package::package(&binary, &first, &["--os", "darwin", "--arch", "arm64"]).expect_success();
    let sums = String::from_utf8(read(&first.join(format!("{NAME}_{VERSION}_SHA256SUMS"))))
        .expect("SHA256SUMS is text");
    assert_eq!(
        sums.lines().count(),
        3,
        "two zips and the manifest:\n{sums}"
    );
    assert!(sums.contains(&zip_name("darwin_arm64")), "{sums}");
    let archives = read_json(&mirror.join(format!("{VERSION}.json")))["archives"].clone();
    assert!(
        archives.get("darwin_arm64").is_some() && archives.get(platform.as_str()).is_some(),
        "both platforms in the mirror: {archives}"
    );
}

#[test]
fn a_binary_reporting_another_version_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let binary = tmp.path().join("provider");
    fake_provider(&binary, "9.9.9");
    let dist = tmp.path().join("dist");
    let out = package::package(&binary, &dist, &[]);
    assert_eq!(out.code, Some(1), "exit code:\n{out}");
    assert!(
        out.stderr.contains("9.9.9")
            && out.stderr.contains(VERSION)
            && out.stderr.contains("rebuild"),
        "says which versions differ and what to do:\n{out}"
    );
    assert!(
        !dist.join(zip_name(&host_platform())).exists(),
        "nothing packaged"
    );
}

/// The `dist/` of the provider under test, and mirrors served from it.
struct Served {
    _tmp: tempfile::TempDir,
    dist: std::path::PathBuf,
    server: HttpsFiles,
    h1: String,
}

/// Packages the provider binary and serves, under `https://.../NAME/`:
/// `full` (dist/mirror as written), `zh-only` (only the `zh:` hash published)
/// and `zh-wrong` (only a wrong `zh:` hash).
fn serve_release() -> Served {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dist = tmp.path().join("dist");
    let binary = provider_binary();
    package::package(binary, &dist, &[]).expect_success();
    let zip_file = zip_name(&host_platform());
    let zh = zh_of(&dist.join(&zip_file));
    let h1 = h1_of_binary(binary);

    let served = tmp.path().join("served");
    let full = served.join("full");
    std::fs::create_dir_all(&served).expect("creating the served folder");
    std::os::unix::fs::symlink(dist.join("mirror"), &full).expect("linking the mirror");
    let wrong = format!("zh:{}", "0".repeat(64));
    for (variant, hashes) in [("zh-only", vec![zh.clone()]), ("zh-wrong", vec![wrong])] {
        let dir = served.join(variant).join(package::MIRROR_TYPE_DIR);
        std::fs::create_dir_all(&dir).expect("creating a mirror variant");
        std::fs::copy(type_dir(&dist).join("index.json"), dir.join("index.json"))
            .expect("copying index.json");
        std::fs::hard_link(type_dir(&dist).join(&zip_file), dir.join(&zip_file))
            .expect("linking the zip");
        let archives = json!({"archives": {host_platform(): {"url": zip_file, "hashes": hashes}}});
        std::fs::write(dir.join(format!("{VERSION}.json")), archives.to_string())
            .expect("writing the version document");
    }
    let server = HttpsFiles::serve(&served);
    Served {
        _tmp: tmp,
        dist,
        server,
        h1,
    }
}

/// Where a workspace installs the provider from.
enum Source<'a> {
    /// A served mirror variant (`full`, `zh-only`, `zh-wrong`) as a `network_mirror`.
    Network(&'a str),
    /// dist/mirror as a packed `filesystem_mirror`.
    Filesystem,
}

/// `terraform init` in a fresh workspace holding only the provider block.
fn init_from(
    test: &str,
    tf: &Terraform,
    served: &Served,
    source: Source,
) -> (Workspace, CmdOutput) {
    let (kind, location) = match source {
        Source::Network(variant) => (
            "network_mirror",
            format!("url     = \"{}{variant}/\"", served.server.base_url),
        ),
        Source::Filesystem => (
            "filesystem_mirror",
            format!("path    = \"{}\"", served.dist.join("mirror").display()),
        ),
    };
    let mut ws = Workspace::new(test, tf);
    ws.set_cli_config(&format!(
        "provider_installation {{\n  {kind} {{\n    {location}\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n"
    ));
    ws.set_env(
        "SSL_CERT_FILE",
        served.server.cert_file().to_str().expect("UTF-8 path"),
    );
    ws.write_main("provider \"peering\" {}\n");
    let init = ws.init();
    (ws, init)
}

/// `init` installed the provider and the lock file records exactly its `h1:`
/// hash; the installed provider then answers a plan.
fn installs_and_plans(test: &str, tf: &Terraform, served: &Served, source: Source) {
    let (ws, init) = init_from(test, tf, served, source);
    init.expect_success();
    let lock = std::fs::read_to_string(ws.dir().join(".terraform.lock.hcl"))
        .unwrap_or_else(|e| panic!("no lock file after init ({e}):\n{init}"));
    assert!(
        lock.contains(&format!(
            "provider \"{}\"",
            acceptance_tests::PROVIDER_ADDRESS
        )) && lock.contains(&format!("version     = \"{VERSION}\"")),
        "the lock names the provider and its version:\n{lock}"
    );
    // Terraform writes `zh:` hashes into the lock only for packages whose
    // checksums a registry signed; from a mirror it records the `h1:` hash it
    // computed on the unpacked package, which must be the one we publish.
    assert_eq!(
        lock_hashes(&lock),
        vec![served.h1.clone()],
        "lock file:\n{lock}"
    );
    let plan = ws.plan_detailed();
    assert_eq!(plan.code, Some(0), "a plan without changes:\n{plan}");
}

#[test]
fn terraform_installs_the_release_from_network_and_filesystem_mirrors() {
    let served = serve_release();
    for_each_terraform("release_mirror", |tf| {
        installs_and_plans("release_net", tf, &served, Source::Network("full"));
        installs_and_plans("release_fs", tf, &served, Source::Filesystem);

        // The published `zh:` alone authenticates the zip: Terraform checks it
        // before unpacking, and refuses a zip that does not match.
        let (_, init) = init_from("release_zh", tf, &served, Source::Network("zh-only"));
        init.expect_success();
        assert!(init.stdout.contains("verified checksum"), "{init}");
        let (_, init) = init_from("release_zh_wrong", tf, &served, Source::Network("zh-wrong"));
        init.expect_failure();
        assert!(
            format!("{}{}", init.stdout, init.stderr).contains("checksum"),
            "a wrong zh: hash is refused as a checksum mismatch:\n{init}"
        );
    });

    let requested = served.server.requested();
    for file in [
        "index.json",
        &format!("{VERSION}.json"),
        &zip_name(&host_platform()),
    ] {
        let path = format!("/full/{}/{file}", package::MIRROR_TYPE_DIR);
        assert!(
            requested.contains(&path),
            "Terraform fetched {path} from the network mirror; it asked for {requested:?}"
        );
    }
}
