"""Prints what EC2 holds for peering meshes, read through the EC2 API (boto3), not
through the provider: peerings, then every route to a peering in each mesh route table,
then a count of tagged objects. Used by `make demo` against the local emulator.

Usage: show-mesh.py ENDPOINT REGION [--count-only]
"""
import sys

import boto3


def name_of(obj):
    tags = {t["Key"]: t["Value"] for t in obj.get("Tags", [])}
    return tags.get("peering:component") or tags.get("Name") or "-"


def main():
    endpoint, region = sys.argv[1], sys.argv[2]
    count_only = "--count-only" in sys.argv[3:]
    # The local emulator takes any keys; never the machine's own credentials.
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    mesh = [{"Name": "tag-key", "Values": ["peering:mesh"]}]
    vpcs = ec2.describe_vpcs(Filters=mesh)["Vpcs"]
    peerings = [
        p
        for p in ec2.describe_vpc_peering_connections(Filters=mesh)["VpcPeeringConnections"]
        if p["Status"]["Code"] not in ("deleted", "rejected", "failed")
    ]
    tables = ec2.describe_route_tables(Filters=mesh)["RouteTables"]
    subnets = ec2.describe_subnets(Filters=mesh)["Subnets"]
    groups = ec2.describe_security_groups(Filters=mesh)["SecurityGroups"]
    gateways = ec2.describe_internet_gateways(Filters=mesh)["InternetGateways"]
    counts = (
        f"{len(vpcs)} VPCs, {len(subnets)} subnets, {len(tables)} route tables, "
        f"{len(gateways)} internet gateways, {len(groups)} security groups, "
        f"{len(peerings)} live peerings"
    )
    if count_only:
        print(f"EC2 holds, tagged peering:mesh: {counts}")
        return
    vpc_names = {v["VpcId"]: name_of(v) for v in vpcs}
    print("Peering connections (from DescribeVpcPeeringConnections):")
    for p in sorted(peerings, key=name_of):
        print(
            f"  {p['VpcPeeringConnectionId']:<24} {name_of(p):<30} "
            f"{p['RequesterVpcInfo']['CidrBlock']:>13} <-> {p['AccepterVpcInfo']['CidrBlock']:<13} "
            f"{p['Status']['Code']}"
        )
    print("Routes through peerings (from DescribeRouteTables):")
    for t in sorted(tables, key=name_of):
        for r in sorted(t["Routes"], key=lambda r: r.get("DestinationCidrBlock", "")):
            target = r.get("VpcPeeringConnectionId") or r.get("GatewayId")
            if target and target != "local":
                print(
                    f"  {vpc_names.get(t['VpcId'], t['VpcId']):<12} {name_of(t):<30} "
                    f"{r.get('DestinationCidrBlock', '?'):<13} -> {target}"
                )
    print(f"EC2 holds, tagged peering:mesh: {counts}")


if __name__ == "__main__":
    main()
