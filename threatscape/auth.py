"""Who is using the app, and what they may do: sign-in, roles, clearances and the pages each role may open.

Sign-in is Streamlit's own (st.login: OpenID Connect through Authlib), configured by an `[auth]` section in
`.streamlit/secrets.toml`, so any OIDC provider works (Keycloak, Entra ID, Okta, Google). Each signed-in user's
role and TLP clearance come from the `[[threatscape.access]]` rules of the same file, matched against the
identity token's claims (rules_from / user_from_claims). A user no rule matches gets the least: viewer, TLP:CLEAR.

Without an `[auth]` section the app runs in local mode: one local user with every right, served on this machine
only; on any other address it refuses to serve and says how to configure sign-in.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Mapping

from .filters import TLPS

ROLES = ("viewer", "analyst", "admin")  # each may do what the ones before it may
# The least role that may open each page (launch.PAGES' stems): viewers see the dashboards and download chart
# data and snapshots within their clearance; analysts also decide what names mean; admins also ingest and audit.
PAGE_ROLE = {"overview": "viewer", "explorer": "viewer", "actor": "viewer", "names": "analyst", "ingest": "admin",
             "audit": "admin"}
HOW_TO_CONFIGURE = ("add an [auth] section (your OIDC provider) and [[threatscape.access]] rules to "
                    ".streamlit/secrets.toml, as README.md's 'Serve a team' says")


class AccessConfigError(ValueError):
    """The access rules in the secrets are not valid (one line naming the rule and field)."""


@dataclass(frozen=True)
class User:
    name: str             # what the sidebar and the audit trail call them (e-mail, else name, else subject)
    role: str             # ROLES
    clearance: str        # the highest TLP marking they may read (filters.TLPS)
    local: bool = False   # local mode: no sign-in

    def may(self, role: str) -> bool:
        """Whether this user has `role`'s rights (a role has those of the roles before it)."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def may_open(self, page: str) -> bool:
        return self.may(PAGE_ROLE.get(page, "admin"))


LOCAL_USER = User("local user", "admin", TLPS[-1], local=True)
LOCAL_CLEARANCE = "THREATSCAPE_LOCAL_CLEARANCE"  # local mode: read as a user cleared to this TLP (default RED)


def local_user() -> User:
    """The local user: every right, cleared to RED, or to $THREATSCAPE_LOCAL_CLEARANCE to see what a reader cleared
    to less sees (bench --clearance measures the app that way). An unknown marking there clears to the least."""
    wanted = os.environ.get(LOCAL_CLEARANCE, "").strip().upper().removeprefix("TLP:")
    if not wanted:
        return LOCAL_USER
    return User(LOCAL_USER.name, LOCAL_USER.role, wanted if wanted in TLPS else TLPS[0], local=True)


@dataclass(frozen=True)
class Rule:
    """One [[threatscape.access]] entry: who it matches (any of email, group, domain) and what it grants."""
    role: str
    clearance: str
    emails: frozenset = field(default_factory=frozenset)
    groups: frozenset = field(default_factory=frozenset)
    domains: frozenset = field(default_factory=frozenset)

    def matches(self, email: str | None, groups: frozenset) -> bool:
        return bool((email and (email in self.emails or email.rsplit("@", 1)[-1] in self.domains))
                    or (groups & self.groups))


def _names(value, what: str, n: int) -> frozenset:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AccessConfigError(f"access rule {n}: {what} must be a name or a list of names")
    return frozenset(v.strip().lower() for v in value)


def rules_from(secrets: Mapping) -> tuple[Rule, ...]:
    """The access rules of the secrets' [threatscape] section (none: every signed-in user is a viewer cleared to
    TLP:CLEAR). Raises AccessConfigError for a rule with an unknown role or TLP, or that matches nobody."""
    section = secrets.get("threatscape") or {}
    entries = section.get("access") or []
    if isinstance(entries, Mapping):
        entries = [entries]
    rules = []
    for n, entry in enumerate(entries, 1):
        role = str(entry.get("role", "viewer")).strip().lower()
        if role not in ROLES:
            raise AccessConfigError(f"access rule {n}: role={role!r} must be one of {', '.join(ROLES)}")
        clearance = str(entry.get("clearance", "CLEAR")).strip().upper().removeprefix("TLP:")
        if clearance not in TLPS:
            raise AccessConfigError(f"access rule {n}: clearance={clearance!r} must be one of {', '.join(TLPS)}")
        rule = Rule(role, clearance, _names(entry.get("email"), "email", n), _names(entry.get("group"), "group", n),
                    _names(entry.get("domain"), "domain", n))
        if not (rule.emails or rule.groups or rule.domains):
            raise AccessConfigError(f"access rule {n}: give an email, a group or a domain it applies to")
        rules.append(rule)
    return tuple(rules)


def user_from_claims(claims: Mapping, rules: tuple[Rule, ...]) -> User:
    """The user an identity token's claims describe: the highest role and the highest clearance among the rules
    that match their e-mail (only when the provider says it is verified), its domain, or one of their groups
    (the `groups` claim, or `roles`). No rule matches: viewer, TLP:CLEAR."""
    email = claims.get("email")
    email = email.strip().lower() if isinstance(email, str) and email.strip() else None
    if email and claims.get("email_verified") is False:
        email = None  # an address the provider has not verified grants nothing
    raw_groups = claims.get("groups") or claims.get("roles") or []
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]
    groups = frozenset(str(g).strip().lower() for g in raw_groups if str(g).strip())
    matched = [r for r in rules if r.matches(email, groups)]
    role = max((r.role for r in matched), key=ROLES.index, default=ROLES[0])
    clearance = max((r.clearance for r in matched), key=TLPS.index, default=TLPS[0])
    name = next((str(claims[k]) for k in ("email", "name", "preferred_username", "sub") if claims.get(k)), "unknown")
    return User(name, role, clearance)


def serves_local_mode(server_address: str | None, client: str | None, host: str | None,
                      forwarded_for: str | None) -> bool:
    """Whether local mode may answer this request: the server listens on this machine only, and the request comes
    from it, to a loopback name (a proxy on this machine that forwards other people's requests gives itself away
    by its Host or X-Forwarded-For). client/host/forwarded_for: None where unknown (no request)."""
    if not is_loopback(server_address):
        return False
    if client is not None and not is_loopback(client):
        return False
    if host:  # 'localhost:8501', '127.0.0.1:8501', '[::1]:8501'
        name = host[:host.index("]") + 1] if host.startswith("[") and "]" in host else host.split(":")[0]
        if not is_loopback(name):
            return False
    if forwarded_for and not all(is_loopback(a.strip()) for a in forwarded_for.split(",")):
        return False
    return True


def is_loopback(address: str | None) -> bool:
    """Whether a server address (server.address) or a client's IP is this machine only. None or '' is every
    address (Streamlit's default), which is not."""
    if not address:
        return False
    if address.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False
