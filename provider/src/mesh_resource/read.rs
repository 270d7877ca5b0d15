//! ReadResource and ImportResourceState: the state is rebuilt from a fresh inventory (a
//! constant number of Describe calls per region). What is gone is left out, so the next
//! plan shows it coming back; a mesh with nothing left reads as Null and is planned anew.

use std::collections::BTreeMap;

use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::provider::{Context, ReadResponse};
use tfplugin::value::Value;

use super::inputs::{desired_for, pin_regions, scope_of_state, unadopt_created, DesiredInputs};
use super::meta::{read_connection, read_settings};
use super::ownership::add_prior;
use super::parse::{parse, recorded_id, unknown_as_null, Unknowns};
use super::private::Private;
use super::state::{build, Facts, Mode};
use super::MeshResource;
use crate::ec2::place::{account_of, region_of};
use crate::ec2::types::{Inventory, RouteTarget, Tags, TAG_COMPONENT, TAG_MESH};
use crate::mesh::discover::{
    add_to_scope, anything_tagged, discover_across, discover_from, mesh_exists, mesh_groups,
    named_vpcs, scope_of_inventory, NamedVpc, Scope,
};
use crate::mesh::key::Key;
use crate::mesh::plan::plan as plan_mesh;

pub(super) async fn read(
    res: &MeshResource,
    _ctx: &Context,
    state: &Value,
    private: &[u8],
    diags: &mut Diagnostics,
) -> ReadResponse {
    let unchanged = ReadResponse {
        new_state: state.clone(),
        private: private.to_vec(),
    };
    let Some(recorded) = recorded_id(state) else {
        return unchanged;
    };
    let mesh_id = recorded.as_str();
    let Some((config, conn)) = res.connect(diags).await else {
        return unchanged;
    };
    let stored = Private::decode(private);
    let default_region = stored
        .default_region
        .clone()
        .unwrap_or_else(|| conn.region.clone());
    let mut scope = Scope::new();
    add_to_scope(&mut scope, &default_region, None);
    scope_of_state(&mut scope, state);
    if let Some(inv) = &stored.inventory {
        scope_of_inventory(&mut scope, inv);
    }
    let inventory = match discover_from(conn.ec2.as_ref(), mesh_id, scope).await {
        Ok(inv) => inv,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Cannot read the mesh",
                format!("reading mesh {mesh_id} from EC2: {e}"),
            ));
            return unchanged;
        }
    };
    if !mesh_exists(&inventory, mesh_id) {
        tracing::info!(
            mesh_id,
            "nothing of the mesh is left; it will be planned anew"
        );
        return ReadResponse {
            new_state: Value::Null,
            private: Vec::new(),
        };
    }
    let new_state = observe(
        state,
        mesh_id,
        &default_region,
        &config.default_tags,
        &inventory,
    );
    let private = Private {
        default_region: Some(default_region),
        inventory: Some(inventory),
    }
    .encode();
    ReadResponse { new_state, private }
}

/// The state `source` describes, as far as `inv` shows it exists.
pub(super) fn observe(
    source: &Value,
    mesh_id: &str,
    default_region: &str,
    default_tags: &Tags,
    inv: &Inventory,
) -> Value {
    let mut ignored = Diagnostics::new();
    let mut mesh = parse(&unknown_as_null(source), &mut ignored).mesh;
    unadopt_created(&mut mesh, inv, mesh_id);
    pin_regions(&mut mesh, source, default_region);
    let inputs = DesiredInputs {
        mesh_id,
        default_region,
        default_tags,
        inventory: inv,
        placeholders: true,
    };
    let known = match desired_for(&mesh, &inputs) {
        Ok(mut desired) => {
            add_prior(&mut desired, source);
            plan_mesh(&desired, inv).known
        }
        Err(_) => BTreeMap::new(),
    };
    let stale = Default::default();
    let unknown = Unknowns::default();
    let facts = Facts {
        mode: Mode::Observe,
        mesh: &mesh,
        unknown: &unknown,
        ids: &known,
        stale: &stale,
        inventory: inv,
        id: Value::from(mesh_id),
    };
    build(source, &facts).value
}

pub(super) async fn import(
    res: &MeshResource,
    _ctx: &Context,
    id: &str,
    diags: &mut Diagnostics,
) -> ReadResponse {
    let mesh_id = id.trim();
    let Some((config, conn)) = res.connect(diags).await else {
        return ReadResponse::default();
    };
    let accounts: Vec<String> = config.aws.accounts.keys().cloned().collect();
    let found = discover_across(conn.ec2.as_ref(), mesh_id, &conn.region, &accounts).await;
    let inventory = match found {
        Ok(inv) => inv,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Cannot import the mesh",
                format!("reading mesh {mesh_id} from EC2: {e}"),
            ));
            return ReadResponse::default();
        }
    };
    if !anything_tagged(&inventory, mesh_id) {
        return ReadResponse::default();
    }
    let Some(source) = synthesize(&inventory, mesh_id, &config.default_tags) else {
        diags.push(Diagnostic::error(
            "Cannot import the mesh",
            format!("Objects tagged peering:mesh = {mesh_id} exist in {}, but none of its security groups carries the mesh's settings tags (peering:name, ...). Was it made by an older provider? Apply the configuration instead: the mesh adopts what it finds.", conn.region),
        ));
        return ReadResponse::default();
    };
    let new_state = observe(
        &source,
        mesh_id,
        &conn.region,
        &config.default_tags,
        &inventory,
    );
    let private = Private {
        default_region: Some(conn.region.clone()),
        inventory: Some(inventory),
    }
    .encode();
    ReadResponse { new_state, private }
}

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::from).collect())
}

fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// The configuration a mesh was made from, as its tags tell it. None without settings.
/// A subnet's `ipv6_index` on import: set only when its /64 is not the one its
/// position picks by default.
fn with_ipv6_index(
    mut subnet: Value,
    position: usize,
    vpc_block: Option<ipnet::Ipv6Net>,
    block: Option<ipnet::Ipv6Net>,
) -> Value {
    let (Some(vpc_block), Some(block)) = (vpc_block, block) else {
        return subnet;
    };
    let offset = u128::from(block.network()).wrapping_sub(u128::from(vpc_block.network()));
    let index = (offset >> 64) as i64;
    if let (true, Value::Object(attrs)) = (index != position as i64, &mut subnet) {
        attrs.insert("ipv6_index".to_string(), Value::from(index));
    }
    subnet
}

fn synthesize(inv: &Inventory, mesh_id: &str, default_tags: &Tags) -> Option<Value> {
    let ours = |tags: &Tags| tags.get(TAG_MESH).is_some_and(|m| m == mesh_id);
    let key = |tags: &Tags| tags.get(TAG_COMPONENT).and_then(|t| Key::parse(t));
    let settings = mesh_groups(inv, mesh_id)
        .into_iter()
        .find_map(|g| read_settings(g, default_tags))?;

    let mut entries = BTreeMap::new();
    for (name, NamedVpc { vpc: v, adopted }) in named_vpcs(inv, mesh_id) {
        let adopted_id = adopted.then(|| v.id.clone());
        let mut subnets = BTreeMap::new();
        for s in inv
            .subnets
            .iter()
            .filter(|s| ours(&s.tags) && s.vpc_id == v.id)
        {
            let Some(Key::Subnet(_, sub)) = key(&s.tags) else {
                continue;
            };
            let table = Key::RouteTable(name.clone(), sub.clone()).to_string();
            let public = inv
                .route_tables
                .iter()
                .filter(|t| t.tags.get(TAG_COMPONENT) == Some(&table))
                .any(|t| {
                    t.routes.iter().any(|r| {
                        r.destination.prefix_len() == 0
                            && matches!(r.target, RouteTarget::Gateway(_))
                    })
                });
            let subnet = object(vec![
                ("cidr_block", s.cidr.to_string().into()),
                ("availability_zone", s.availability_zone.clone().into()),
                ("public", public.into()),
                ("ipv6_index", Value::Null),
            ]);
            subnets.insert(sub, (subnet, s.ipv6_cidr));
        }
        let ipv6 = v.ipv6_cidr.is_some()
            && (!adopted || subnets.values().any(|(_, block)| block.is_some()));
        let subnets: BTreeMap<String, Value> = subnets
            .into_iter()
            .enumerate()
            .map(|(position, (sub, (value, block)))| {
                (sub, with_ipv6_index(value, position, v.ipv6_cidr, block))
            })
            .collect();
        let vpc = object(vec![
            ("cidr_block", v.cidr.to_string().into()),
            (
                "vpc_id",
                adopted_id.clone().map_or(Value::Null, Value::from),
            ),
            ("region", region_of(&v.region).into()),
            (
                "account",
                account_of(&v.region).map_or(Value::Null, Value::from),
            ),
            ("ipv6", ipv6.into()),
            (
                "subnets",
                if subnets.is_empty() {
                    Value::Null
                } else {
                    Value::Map(subnets)
                },
            ),
        ]);
        entries.insert(name, vpc);
    }
    let mut connections: Vec<(usize, String, String)> = inv
        .peerings
        .iter()
        .filter(|p| ours(&p.tags) && !p.status.is_terminal())
        .filter_map(|p| read_connection(&p.tags))
        .collect();
    connections.sort();
    let connections = match settings.topology.as_str() {
        "explicit" if !connections.is_empty() => Value::List(
            connections
                .into_iter()
                .map(|(_, x, y)| strings([x, y]))
                .collect(),
        ),
        _ => Value::Null,
    };
    let ssh = &settings.ssh_ingress_cidrs;
    Some(object(vec![
        ("name", settings.name.clone().into()),
        ("vpcs", Value::Map(entries)),
        ("topology", settings.topology.clone().into()),
        ("hub", settings.hub.clone().map_or(Value::Null, Value::from)),
        ("connections", connections),
        ("allow_icmp", settings.allow_icmp.into()),
        (
            "ssh_ingress_cidrs",
            if ssh.is_empty() {
                Value::Null
            } else {
                strings(ssh.iter().map(ToString::to_string))
            },
        ),
        ("dns_resolution", settings.dns_resolution.into()),
        (
            "tags",
            if settings.tags.is_empty() {
                Value::Null
            } else {
                Value::Map(
                    settings
                        .tags
                        .into_iter()
                        .map(|(k, v)| (k, v.into()))
                        .collect(),
                )
            },
        ),
    ]))
}
