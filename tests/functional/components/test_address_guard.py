"""The `http.request` address guard against IANA's special-purpose address registries.

`REGISTRY` is the IPv4 and IPv6 Special-Purpose Address Registries written out as data: each
block with its "Globally Reachable" column (None where the registry says N/A). Every block IANA
marks not globally reachable is refused (its first, middle and last addresses), every IPv6 form
that leads to a private IPv4 address is refused as that address is, and the guard refuses
nothing the policy allows. No connection is made: the guard is asked about literal addresses.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import pytest

from automations.components.errors import ComponentFailed
from automations.components.http_request import (
    ALLOW_HOSTS_ENV,
    ALLOW_PRIVATE_ENV,
    HttpPolicy,
    checked_addresses,
    forbidden_reason,
)

# (block, name, globally reachable) as the registries list them.
REGISTRY: list[tuple[str, str, bool | None]] = [
    # IPv4 Special-Purpose Address Registry
    ("0.0.0.0/8", '"This network"', False),
    ("0.0.0.0/32", '"This host on this network"', False),
    ("10.0.0.0/8", "Private-Use", False),
    ("100.64.0.0/10", "Shared Address Space", False),
    ("127.0.0.0/8", "Loopback", False),
    ("169.254.0.0/16", "Link Local", False),
    ("172.16.0.0/12", "Private-Use", False),
    ("192.0.0.0/24", "IETF Protocol Assignments", False),
    ("192.0.0.0/29", "IPv4 Service Continuity Prefix", False),
    ("192.0.0.8/32", "IPv4 dummy address", False),
    ("192.0.0.9/32", "Port Control Protocol Anycast", True),
    ("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", True),
    ("192.0.0.170/32", "NAT64/DNS64 Discovery", False),
    ("192.0.0.171/32", "NAT64/DNS64 Discovery", False),
    ("192.0.2.0/24", "Documentation (TEST-NET-1)", False),
    ("192.31.196.0/24", "AS112-v4", True),
    ("192.52.193.0/24", "AMT", True),
    ("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", None),
    ("192.168.0.0/16", "Private-Use", False),
    ("192.175.48.0/24", "Direct Delegation AS112 Service", True),
    ("198.18.0.0/15", "Benchmarking", False),
    ("198.51.100.0/24", "Documentation (TEST-NET-2)", False),
    ("203.0.113.0/24", "Documentation (TEST-NET-3)", False),
    ("240.0.0.0/4", "Reserved", False),
    ("255.255.255.255/32", "Limited Broadcast", False),
    # IPv6 Special-Purpose Address Registry
    ("::1/128", "Loopback Address", False),
    ("::/128", "Unspecified Address", False),
    ("::ffff:0:0/96", "IPv4-mapped Address", False),
    ("64:ff9b::/96", "IPv4-IPv6 Translat.", True),
    ("64:ff9b:1::/48", "IPv4-IPv6 Translat. (local use)", False),
    ("100::/64", "Discard-Only Address Block", False),
    ("100:0:0:1::/64", "Dummy IPv6 Prefix", False),
    ("2001::/23", "IETF Protocol Assignments", False),
    ("2001::/32", "TEREDO", None),
    ("2001:1::1/128", "Port Control Protocol Anycast", True),
    ("2001:1::2/128", "Traversal Using Relays around NAT Anycast", True),
    ("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", True),
    ("2001:2::/48", "Benchmarking", False),
    ("2001:3::/32", "AMT", True),
    ("2001:4:112::/48", "AS112-v6", True),
    ("2001:10::/28", "Deprecated (previously ORCHID)", None),
    ("2001:20::/28", "ORCHIDv2", True),
    ("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", True),
    ("2001:db8::/32", "Documentation", False),
    ("2002::/16", "6to4", None),
    ("2620:4f:8000::/48", "Direct Delegation AS112 Service", True),
    ("3fff::/20", "Documentation", False),
    ("5f00::/16", "Segment Routing (SRv6) SIDs", False),
    ("fc00::/7", "Unique-Local", False),
    ("fe80::/10", "Link-Local Unicast", False),
]

# Blocks the guard refuses though IANA marks them globally reachable: anycast services inside
# 192.0.0.0/24 and 2001::/23, refused whole (see the module docstring of http_request).
STRICTER = {
    "192.0.0.9/32",
    "192.0.0.10/32",
    "2001:1::1/128",
    "2001:1::2/128",
    "2001:1::3/128",
    "2001:3::/32",
    "2001:4:112::/48",
    "2001:20::/28",
    "2001:30::/28",
}
# N/A blocks: refused, save 6to4 which is judged by the IPv4 address it carries.
NOT_APPLICABLE_REFUSED = {"192.88.99.0/24", "2001::/32", "2001:10::/28"}


def samples(block: str) -> list[str]:
    """The first, middle and last addresses of a block."""
    network = ip_network(block)
    first, last = int(network.network_address), int(network.broadcast_address)
    kind = IPv4Address if network.version == 4 else IPv6Address
    return [str(kind(n)) for n in dict.fromkeys([first, (first + last) // 2, last])]


def rows(reachable: bool | None) -> list[tuple[str, str]]:
    return [(block, name) for block, name, column in REGISTRY if column is reachable]


@pytest.mark.parametrize(("block", "name"), rows(False))
def test_every_block_iana_marks_not_globally_reachable_is_refused(block: str, name: str) -> None:
    for address in samples(block):
        assert forbidden_reason(ip_address(address)) is not None, f"{address} ({name})"


@pytest.mark.parametrize(("block", "name"), rows(True))
def test_globally_reachable_blocks_are_allowed_unless_refused_on_purpose(
    block: str, name: str
) -> None:
    refused = {a: forbidden_reason(ip_address(a)) for a in samples(block)}
    if block in STRICTER:
        assert None not in refused.values(), f"{block} ({name}): {refused}"
    elif block == "64:ff9b::/96":  # judged by the IPv4 address it translates
        assert refused == {
            "64:ff9b::": "unspecified",
            "64:ff9b::7fff:ffff": "loopback",
            "64:ff9b::ffff:ffff": "reserved",
        }
        assert forbidden_reason(ip_address("64:ff9b::8.8.8.8")) is None
    else:
        assert set(refused.values()) == {None}, f"{block} ({name}): {refused}"


@pytest.mark.parametrize(("block", "name"), rows(None))
def test_blocks_the_registry_leaves_open_are_refused_or_judged_by_their_ipv4(
    block: str, name: str
) -> None:
    if block in NOT_APPLICABLE_REFUSED:
        for address in samples(block):
            assert forbidden_reason(ip_address(address)) is not None, f"{address} ({name})"
        return
    assert block == "2002::/16"
    assert forbidden_reason(ip_address("2002:808:808::1")) is None  # 6to4 of 8.8.8.8
    assert forbidden_reason(ip_address("2002:c0a8:101::1")) == "private"  # of 192.168.1.1
    assert forbidden_reason(ip_address("2002::1")) == "unspecified"  # of 0.0.0.0


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("fec0::1", "site-local"),
        ("fec0::", "site-local"),
        ("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),  # global scope, still multicast
        ("224.0.0.1", "multicast"),
        ("239.255.255.255", "multicast"),
        ("4000::1", "reserved"),  # not allocated for unicast
        ("8.8.8.8", None),
        ("2a00:1450:4010::64", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_other_ranges(address: str, reason: str | None) -> None:
    assert forbidden_reason(ip_address(address)) == reason


PRIVATE_IPV4 = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "198.18.0.1",
    "192.0.0.8",
    "192.0.2.1",
    "255.255.255.255",
]


def ipv6_forms(ipv4: str) -> dict[str, str]:
    """The IPv6 spellings that lead to an IPv4 address."""
    n = int(IPv4Address(ipv4))
    high, low = n >> 16, n & 0xFFFF
    return {
        "IPv4-mapped": f"::ffff:{ipv4}",
        "NAT64": f"64:ff9b::{ipv4}",
        "local-use NAT64": f"64:ff9b:1::{ipv4}",
        "6to4": f"2002:{high:x}:{low:x}::1",
        "Teredo server": f"2001:0:{high:x}:{low:x}:0:0:f7f7:f7f7",  # client 8.8.8.8
        "Teredo client": f"2001:0:808:808:0:0:{high ^ 0xFFFF:x}:{low ^ 0xFFFF:x}",
        "IPv4-compatible": str(IPv6Address(n)) if n > 1 else f"::{ipv4}",
    }


@pytest.mark.parametrize("ipv4", PRIVATE_IPV4)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused_as_those_are(ipv4: str) -> None:
    expected = forbidden_reason(ip_address(ipv4))
    assert expected is not None
    for form, address in ipv6_forms(ipv4).items():
        assert forbidden_reason(ip_address(address)) == expected, f"{form} {address}"


def test_ipv6_forms_of_a_public_address() -> None:
    forms = ipv6_forms("8.8.8.8")
    allowed = {form for form, a in forms.items() if forbidden_reason(ip_address(a)) is None}
    # Teredo (2001::/32), the deprecated IPv4-compatible form and local-use NAT64 stay refused.
    assert allowed == {"IPv4-mapped", "NAT64", "6to4"}


@pytest.mark.parametrize("address", ["fec0::1", "192.0.0.9", "2001:db8::1", "::ffff:10.0.0.1"])
def test_the_operators_policy_allows_what_the_guard_refuses(address: str) -> None:
    refused = HttpPolicy.from_environment({})
    with pytest.raises(ComponentFailed) as failure:
        checked_addresses(address, 80, refused)
    assert failure.value.code == "http.forbidden_address"
    by_address = HttpPolicy.from_environment({ALLOW_HOSTS_ENV: f"crm.local,{address}"})
    everything = HttpPolicy.from_environment({ALLOW_PRIVATE_ENV: "1"})
    for policy in (by_address, everything):
        assert [str(a) for a in checked_addresses(address, 80, policy)] == [
            str(ip_address(address))
        ]
