"""Which addresses the outbound guard refuses (SECURITY.md "Outbound requests"), and how hosts
are normalised for domain blocks."""

from __future__ import annotations

import pytest

from federation.ssrf import AddressPolicy, BlockedAddress, classify
from node.services.moderation.domain_blocks import normalise_domain


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.10", "private"),
        ("100.64.0.1", "cgnat"),
        ("100.127.255.254", "cgnat"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("febf::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not to bind
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("255.255.255.255", "reserved"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "reserved"),
        ("198.18.0.1", "reserved"),
        ("2001:db8::1", "reserved"),
        ("fec0::1", "reserved"),
        ("::127.0.0.1", "reserved"),
        # IPv6 forms carrying an IPv4 address are judged by that address.
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:100.64.0.1", "cgnat"),
        ("::ffff:0.0.0.0", "unspecified"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),
        ("2002:a00:1::", "private"),
        ("2001::1", "reserved"),  # Teredo
    ],
)
def test_non_public_addresses_are_classified_with_their_reason(address: str, why: str) -> None:
    assert classify(address) == why


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "1.1.1.1",
        "8.8.8.8",
        "100.63.255.255",  # just below CGNAT
        "100.128.0.0",  # just above CGNAT
        "172.32.0.1",  # just above 172.16/12
        "2606:4700:4700::1111",
        "2a00:1450:4007:80f::200e",
        "::ffff:93.184.215.14",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    ],
)
def test_public_unicast_addresses_pass(address: str) -> None:
    assert classify(address) is None


def test_allow_list_entries_allow_a_host_on_any_port_or_on_one_port() -> None:
    policy = AddressPolicy(frozenset({"lapalma.test", "127.0.0.1:8030", "[::1]:8040"}))
    policy.check("lapalma.test", 80, ["127.0.0.1"])
    policy.check("LaPalma.test.", 8451, ["127.0.0.1"])
    policy.check("127.0.0.1", 8030, ["127.0.0.1"])
    policy.check("::1", 8040, ["::1"])
    for host, port in (("127.0.0.1", 8031), ("faro.test", 80), ("::1", 8041)):
        with pytest.raises(BlockedAddress):
            policy.check(host, port, ["127.0.0.1"])


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    policy = AddressPolicy()
    policy.check("example.com", 443, ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
    with pytest.raises(BlockedAddress) as refused:
        policy.check("rebind.example", 443, ["93.184.215.14", "10.0.0.1"])
    assert refused.value.why == "private"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Spam.Example", "spam.example"),
        ("spam.example.", "spam.example"),
        ("spam.example:8443", "spam.example"),
        ("SPAM.example.:443", "spam.example"),
        ("https://spam.example/users/x", "spam.example"),
        ("https://user@spam.example:8443/x?y#z", "spam.example"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("[::1]:8080", "::1"),
        ("  spam.example  ", "spam.example"),
    ],
)
def test_domains_are_normalised_for_blocks(raw: str, normal: str) -> None:
    assert normalise_domain(raw) == normal
