"""The address guard: which hosts a scenario may make a component connect to (the SSRF guard).

A component that connects where a scenario says (`http.request`'s URL, the server a scenario
gives `sql.query` or the mail components inline) resolves the host itself, refuses it when an
address is not public, and then connects to the very address it checked, so DNS cannot answer
differently between the check and the connection. Servers of the operator's named connections
are trusted and not checked.

Refused: loopback, private (RFC 1918, CGNAT 100.64/10, ULA fc00::/7), link-local (169.254/16
with the cloud metadata address, fe80::/10), site-local (fec0::/10), multicast, unspecified,
reserved and every other range IANA's special-purpose registries mark not globally reachable
(documentation, benchmarking, 192.0.0.0/24 and 2001::/23 whole), and IPv6 addresses that lead
to such an IPv4 address (::ffff:a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4, Teredo,
::a.b.c.d). If any address of a host is refused, the host is.

The operator's policy, read from the environment at each call (the names are `http.request`'s,
which had the guard first):
- `AUTOMATIONS_HTTP_ALLOW_PRIVATE=1`: allow every address (a developer machine, tests).
- `AUTOMATIONS_HTTP_ALLOW_HOSTS=crm.local,10.1.0.0/16,127.0.0.1`: host names, IP addresses or
  networks allowed whatever their addresses are.

A refusal raises `ForbiddenAddress`, a host that does not resolve `UnresolvedHost`; each caller
turns them into its own error code (`http.forbidden_address`, `sql.forbidden_address`...).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from automations.components.errors import ComponentFailed

ALLOW_PRIVATE_ENV = "AUTOMATIONS_HTTP_ALLOW_PRIVATE"
ALLOW_HOSTS_ENV = "AUTOMATIONS_HTTP_ALLOW_HOSTS"

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


class AddressRefused(ComponentFailed):
    """The guard's refusal, with a message in user terms; callers raise their own code with it.

    A ComponentFailed so that a caller which forgets to map it still fails the task with a
    readable code instead of crashing it.
    """

    code_name = "address.refused"

    def __init__(self, message: str) -> None:
        super().__init__(self.code_name, message)


class ForbiddenAddress(AddressRefused):
    """The host is, or resolves to, an address the policy does not allow."""

    code_name = "address.forbidden_address"


class UnresolvedHost(AddressRefused):
    """The host name does not resolve (a connection error to the caller, not a refusal)."""

    code_name = "address.connection"


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which non-public addresses may still be connected to (from the environment)."""

    allow_private: bool = False
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AddressPolicy:
        env = os.environ if environ is None else environ
        allow_private, hosts, networks = read_allowances(env)
        return cls(allow_private=allow_private, allow_hosts=hosts, allow_networks=networks)

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether a non-public `address` of `host` may still be connected to."""
        return (
            self.allow_private
            or normal_host(host) in self.allow_hosts
            or any(address in network for network in self.allow_networks)
        )


def policy_from_environment(environ: Mapping[str, str] | None = None) -> AddressPolicy:
    """The operator's policy as the environment has it now."""
    return AddressPolicy.from_environment(environ)


def read_allowances(
    env: Mapping[str, str],
) -> tuple[bool, frozenset[str], tuple[IPNetwork, ...]]:
    """`ALLOW_PRIVATE_ENV` and `ALLOW_HOSTS_ENV` read: (allow all, host names, networks)."""
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in env.get(ALLOW_HOSTS_ENV, "").split(","):
        name = normal_host(entry.strip().strip("[]"))
        if not name:
            continue
        try:
            networks.append(ip_network(name, strict=False))
        except ValueError:
            hosts.add(name)
    allow_private = env.get(ALLOW_PRIVATE_ENV, "").strip().lower() in {"1", "true", "yes"}
    return allow_private, frozenset(hosts), tuple(networks)


def normal_host(host: str) -> str:
    return host.lower().rstrip(".")


_CGNAT = ip_network("100.64.0.0/10")
_SITE_LOCAL = ip_network("fec0::/10")  # deprecated (RFC 3879), but still routed inside sites
# Not globally reachable in IANA's special-purpose registries, or refused here on purpose, where
# `is_global` says otherwise in some Python versions (3.11's lists predate a few entries).
# 192.0.0.0/24 and 2001::/23 are refused whole, the anycast services IANA marks globally
# reachable inside them included (PCP, TURN, AMT, AS112, ORCHIDv2, DETs): they answer
# nearby, a router or a relay rather than a web service; an operator may allow them.
_NOT_PUBLIC = tuple(
    ip_network(block)
    for block in (
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast, deprecated (RFC 7526)
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation (RFC 8215)
        "100:0:0:1::/64",  # dummy IPv6 prefix (RFC 9780)
        "2001::/23",  # IETF protocol assignments (Teredo, benchmarking, ORCHID...)
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # segment routing SIDs (RFC 9602)
    )
)
# IPv6 forms that are an IPv4 address by another name: judged by that address alone.
_NAT64 = ip_network("64:ff9b::/96")
_NAT64_LOCAL = ip_network("64:ff9b:1::/48")

# Checked in order; the first that holds names the refusal.
_ADDRESS_CLASSES: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("loopback", lambda a: a.is_loopback),
    ("link-local", lambda a: a.is_link_local),
    ("unspecified", lambda a: a.is_unspecified),
    ("multicast", lambda a: a.is_multicast),
    ("reserved", lambda a: a.is_reserved),
    ("private", lambda a: a.is_private or a in _CGNAT),
    ("site-local", lambda a: a in _SITE_LOCAL),
    ("non-public", lambda a: not a.is_global or any(a in block for block in _NOT_PUBLIC)),
)


def forbidden_reason(address: IPAddress) -> str | None:
    """The kind of a non-public address ("loopback", "private"...), None for a public one.

    An IPv6 address that reaches an IPv4 one is refused when that IPv4 address would be (the
    kernel connects ::ffff:127.0.0.1 to 127.0.0.1, though `ipaddress` finds it no loopback).
    """
    translated = _translated_ipv4(address)
    if translated is not None:
        return forbidden_reason(translated)
    for embedded in _embedded_ipv4(address):
        reason = forbidden_reason(embedded)
        if reason is not None:
            return reason
    for reason, holds in _ADDRESS_CLASSES:
        if holds(address):
            return reason
    return None


def _translated_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address
    is, which is all there is to judge: the IPv6 form itself is merely how it is written."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _embedded_ipv4(address: IPAddress) -> list[IPv4Address]:
    """IPv4 addresses other IPv6 forms lead to, judged besides the IPv6 address itself: 6to4
    (2002:AABB:CCDD::), Teredo (its server and its client), IPv4-compatible (::a.b.c.d,
    deprecated) and local-use NAT64 (its usual /96 form: the last 32 bits)."""
    if not isinstance(address, IPv6Address):
        return []
    found: list[IPv4Address] = []
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found += address.teredo
    number = int(address)
    if number >> 32 == 0 and number > 1:  # not :: nor ::1
        found.append(IPv4Address(number))
    if address in _NAT64_LOCAL:
        found.append(IPv4Address(number & 0xFFFFFFFF))
    return found


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses of `host` (a literal is itself); UnresolvedHost when it has none."""
    try:
        return [ip_address(host)]  # a literal needs no lookup
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnresolvedHost(f"cannot resolve {host!r}: {exc}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ip_address(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(host: str, port: int, policy: AddressPolicy) -> list[IPAddress]:
    """Resolve `host`; ForbiddenAddress if any address is not allowed, else all of them (the
    caller connects to one of these, never to the name again)."""
    addresses = resolve(host, port)
    for address in addresses:
        reason = forbidden_reason(address)
        if reason is not None and not policy.allows(host, address):
            where = host if host == str(address) else f"{host} resolves to {address}, which"
            raise ForbiddenAddress(
                f"{where} is a {reason} address; connections to it are refused "
                f"unless {ALLOW_HOSTS_ENV} or {ALLOW_PRIVATE_ENV} allows them"
            )
    return addresses
