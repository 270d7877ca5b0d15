//! IPv6 through `AwsEc2` against moto: an Amazon /56 for a VPC, a /64 for a subnet,
//! IPv6 routes to a gateway and a peering, ICMPv6 and IPv6 SSH rules, all read back by
//! `inventory`, then taken away in the order AWS needs.

use ipnet::{IpNet, Ipv6Net};
use terraform_provider_peering::ec2::types::{IngressRule, Protocol, RouteTarget};
use terraform_provider_peering::ec2::{Action, Ec2};
use terraform_provider_peering::mesh::desired::subnet_ipv6_cidr;

use super::support::{net, tags, Moto, US};

#[tokio::test]
async fn ipv6_blocks_routes_and_rules_round_trip() {
    let Some(moto) = Moto::start("ipv6") else {
        return;
    };
    let ec2 = moto.ec2();
    let m = "mesh-v6";
    let a = ec2
        .create_vpc(US, net("10.1.0.0/16"), &tags(m, "vpc/a"))
        .await
        .unwrap();
    let b = ec2
        .create_vpc(US, net("10.2.0.0/16"), &tags(m, "vpc/b"))
        .await
        .unwrap();
    for vpc in [&a, &b] {
        ec2.associate_vpc_ipv6(US, vpc).await.unwrap();
    }
    let inv = ec2.inventory(US, m, &[]).await.unwrap();
    let block = |id: &str| -> Ipv6Net {
        let v = inv.vpcs.iter().find(|v| v.id == id).unwrap();
        assert!(v.ipv6_association_id.is_some());
        v.ipv6_cidr.expect("an Amazon /56")
    };
    let (a6, b6) = (block(&a), block(&b));
    assert_eq!(a6.prefix_len(), 56);

    let subnet = ec2
        .create_subnet(US, &a, net("10.1.1.0/24"), None, &tags(m, "subnet/a/s"))
        .await
        .unwrap();
    let s6 = subnet_ipv6_cidr(a6, 1);
    ec2.associate_subnet_ipv6(US, &subnet, s6).await.unwrap();

    let rtb = ec2
        .create_route_table(US, &a, &tags(m, "rtb/a/s"))
        .await
        .unwrap();
    let igw = ec2
        .create_internet_gateway(US, &tags(m, "igw/a"))
        .await
        .unwrap();
    ec2.attach_internet_gateway(US, &igw, &a).await.unwrap();
    let pcx = ec2
        .create_peering(US, &a, &b, US, &tags(m, "pcx/a:b"))
        .await
        .unwrap();
    ec2.accept_peering(US, &pcx).await.unwrap();
    let everywhere = IpNet::V6(Ipv6Net::default());
    let to_gateway = RouteTarget::Gateway(igw.clone());
    let to_peer = RouteTarget::Peering(pcx.clone());
    ec2.put_route(US, &rtb, everywhere, &to_gateway)
        .await
        .unwrap();
    ec2.put_route(US, &rtb, IpNet::V6(b6), &to_peer)
        .await
        .unwrap();

    let group = ec2
        .create_security_group(US, &a, "mesh-a", "mesh a", &tags(m, "sg/a"))
        .await
        .unwrap();
    let icmpv6 = IngressRule {
        protocol: Protocol::Icmpv6,
        cidr: IpNet::V6(b6),
    };
    let ssh_v6 = IngressRule {
        protocol: Protocol::Tcp { from: 22, to: 22 },
        cidr: "2001:db8::/32".parse().unwrap(),
    };
    ec2.authorize_ingress(US, &group, &[icmpv6.clone(), ssh_v6.clone()])
        .await
        .unwrap();

    let inv = ec2.inventory(US, m, &[]).await.unwrap();
    let s = inv.subnets.iter().find(|s| s.id == subnet).unwrap();
    assert_eq!(
        s.ipv6_cidr,
        Some(s6),
        "moto's odd subnet state still counts"
    );
    let routes = &inv
        .route_tables
        .iter()
        .find(|t| t.id == rtb)
        .unwrap()
        .routes;
    let has = |dest: IpNet, target: &RouteTarget| {
        routes
            .iter()
            .any(|r| r.destination == dest && &r.target == target)
    };
    assert!(has(everywhere, &to_gateway), "{routes:?}");
    assert!(has(IpNet::V6(b6), &to_peer), "{routes:?}");
    assert!(has(IpNet::V6(a6), &RouteTarget::Local), "{routes:?}");
    let g = inv.security_groups.iter().find(|g| g.id == group).unwrap();
    assert!(g.rules.contains(&icmpv6) && g.rules.contains(&ssh_v6));

    // Away again: rule, route, the subnet's block, then the VPC's.
    ec2.revoke_ingress(US, &group, std::slice::from_ref(&icmpv6))
        .await
        .unwrap();
    ec2.delete_route(US, &rtb, IpNet::V6(b6)).await.unwrap();
    let s_assoc = s.ipv6_association_id.clone().unwrap();
    ec2.disassociate_subnet_cidr(US, &s_assoc).await.unwrap();
    let a_assoc = inv
        .vpcs
        .iter()
        .find(|v| v.id == a)
        .and_then(|v| v.ipv6_association_id.clone())
        .unwrap();
    ec2.disassociate_vpc_cidr(US, &a_assoc).await.unwrap();
    ec2.disassociate_vpc_cidr(US, &a_assoc)
        .await
        .expect("a second disassociation is done already");

    let inv = ec2.inventory(US, m, &[]).await.unwrap();
    let v = inv.vpcs.iter().find(|v| v.id == a).unwrap();
    assert_eq!(v.ipv6_cidr, None, "a disassociated block no longer counts");
    let s = inv.subnets.iter().find(|s| s.id == subnet).unwrap();
    assert_eq!(s.ipv6_cidr, None);
    let g = inv.security_groups.iter().find(|g| g.id == group).unwrap();
    assert_eq!(g.rules, vec![ssh_v6]);
    let routes = &inv
        .route_tables
        .iter()
        .find(|t| t.id == rtb)
        .unwrap()
        .routes;
    assert!(!routes.iter().any(|r| r.destination == IpNet::V6(b6)));
    assert_eq!(ec2.counter().get(Action::AssociateVpcCidrBlock), 2);
}
