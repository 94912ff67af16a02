"""Roles and channel permissions in the web client: the owner builds a role, hands it out
and locks a channel to it; what each member then sees follows the server's answer."""

from __future__ import annotations

from typing import Any

from tests.conftest import Server, auth
from tests.web.conftest import SCREENSHOTS
from tests.web.test_browser import Person, guild_with, until

API = "/api/v1"


async def open_settings(person: Person, tab: str) -> None:
    page = person.page
    if not await page.locator("#panel-title", has_text="Server settings").is_visible():
        await page.get_by_role("button", name="Server settings").click()
    await page.get_by_role("tab", name=tab).click()
    await page.get_by_role("tab", name=tab, selected=True).wait_for()


async def test_owner_builds_a_moderators_role_and_locks_a_channel_to_it(server: Server, browser: Any) -> None:
    owner, mod, other = await guild_with(browser, server, "Guild hall", "olga", "mona", "otto")
    page = owner.page
    guild_id: str = await page.evaluate("amityvox.app.ui.guildId")

    # A channel for the moderators, visible to everyone until locked.
    await open_settings(owner, "Channels")
    await page.get_by_label("Name").fill("mod-room")
    await page.get_by_role("button", name="Create channel", exact=True).click()
    await page.locator("#chat-header", has_text="mod-room").wait_for()  # made: the panel closed, the client moved there
    await mod.page.locator("#sidebar .channel", has_text="mod-room").wait_for()
    await other.page.locator("#sidebar .channel", has_text="mod-room").wait_for()

    # The role, with Manage Messages switched on from its described toggle.
    await open_settings(owner, "Roles")
    await page.get_by_label("New role").fill("Moderators")
    await page.get_by_role("button", name="Add role").click()
    editor = page.get_by_role("region", name="Role Moderators")
    toggle = editor.get_by_role("switch", name="Manage Messages")
    await editor.get_by_text("Delete and pin other members' messages.").wait_for()
    await toggle.check()
    await until(
        owner,
        "() => Object.values(amityvox.app.state.roles[amityvox.app.ui.guildId]).some("
        "r => r.name === 'Moderators' && (BigInt(r.permissions_allow) & (1n << 23n)))",
    )
    await toggle.wait_for(state="attached")
    assert await toggle.is_checked()

    # Assigned to Mona from her profile in the member list.
    await page.keyboard.press("Escape")
    await page.locator("#members .member", has_text="mona").click()
    await page.get_by_role("checkbox", name="Moderators").check()
    await until(
        mod,
        "() => amityvox.app.state.members[amityvox.app.ui.guildId][amityvox.app.state.self_user.id].roles.length === 1",
    )
    await page.keyboard.press("Escape")

    # The channel: @everyone denied View Channel, Moderators allowed it.
    await open_settings(owner, "Permissions")
    await page.get_by_label("Channel or category").select_option(label="#mod-room")
    await page.get_by_role("tab", name="@everyone").click()
    await page.get_by_role("radio", name="Deny View Channel").check(force=True)
    await other.page.locator("#sidebar .channel", has_text="mod-room").wait_for(state="detached")
    await page.get_by_label("Add a role").select_option(label="Moderators")
    await page.get_by_role("region", name="Overwrites for Moderators").wait_for()
    await page.get_by_role("radio", name="Allow View Channel").check(force=True)
    await page.get_by_role("tab", name="Moderators").wait_for()

    # Mona sees the channel and can read it; Otto does not see it, and the server agrees.
    await mod.page.locator("#sidebar .channel", has_text="mod-room").click()
    await mod.page.locator("#chat-header", has_text="mod-room").wait_for()
    assert not await other.page.locator("#sidebar .channel", has_text="mod-room").count()
    channels = await server.http.get(f"{API}/guilds/{guild_id}/channels", headers=auth(await other.token()))
    assert "mod-room" not in [c["name"] for c in channels.json()["data"]]

    # A category's overwrites: Deny, then back to Default, which removes the overwrite.
    body = {"name": "Staff", "channel_type": "category"}
    r = await server.http.post(f"{API}/guilds/{guild_id}/channels", json=body, headers=auth(await owner.token()))
    assert r.status_code == 201, r.text
    category = r.json()["data"]["id"]

    async def everyone_overwrite() -> dict[str, str] | None:
        r = await server.http.get(f"{API}/channels/{category}", headers=auth(await owner.token()))
        found = [o for o in r.json()["data"]["permission_overwrites"] if o["id"] == guild_id]
        return found[0] if found else None

    await page.get_by_label("Channel or category").select_option(label="Staff (category)")
    await page.get_by_text("A category's overwrites decide who sees the category itself").wait_for()
    await page.get_by_role("tab", name="@everyone", selected=True).wait_for()
    await page.get_by_role("radio", name="Deny Send Messages").check(force=True)
    await until(owner, "(c) => amityvox.app.state.channels[c].permission_overwrites.length === 1", category)
    assert int((await everyone_overwrite() or {})["deny"]) == 1 << 22
    await page.get_by_role("radio", name="Default Send Messages").check(force=True)
    await until(owner, "(c) => amityvox.app.state.channels[c].permission_overwrites.length === 0", category)
    assert await everyone_overwrite() is None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.mouse.move(0, 0)
    await page.screenshot(path=str(SCREENSHOTS / "roles-category-overwrites-1280x800.png"))
    for person in (owner, mod, other):
        await person.finish()


async def test_a_member_is_offered_only_what_they_may_grant(server: Server, browser: Any) -> None:
    owner, manager = await guild_with(browser, server, "Ranks", "ruth", "max")
    guild_id: str = await owner.page.evaluate("amityvox.app.ui.guildId")
    token = await owner.token()
    max_id: str = await manager.page.evaluate("amityvox.app.state.self_user.id")

    # Max manages roles (bit 3) from a role at position 5; a higher role sits above his.
    async def role(name: str, position: int, allow: int) -> str:
        r = await server.http.post(
            f"{API}/guilds/{guild_id}/roles",
            json={"name": name, "position": position, "permissions_allow": allow},
            headers=auth(token),
        )
        assert r.status_code == 201, r.text
        role_id: str = r.json()["data"]["id"]
        return role_id

    managers = await role("Managers", 5, (1 << 3) | (1 << 23))
    await role("Admins", 9, 0)
    await role("Helpers", 2, 0)
    r = await server.http.put(f"{API}/guilds/{guild_id}/members/{max_id}/roles/{managers}", headers=auth(token))
    assert r.status_code == 200, r.text

    page = manager.page
    await open_settings(manager, "Roles")
    # Roles at or above his own are read-only; below them, only the bits he holds unlock.
    await page.get_by_role("button", name="Admins", exact=True).click()
    await page.get_by_text("This role is at or above your highest role").wait_for()
    assert await page.get_by_role("switch", name="Manage Messages").is_disabled()
    assert await page.get_by_role("button", name="Move Admins down").is_disabled()
    await page.get_by_role("button", name="Helpers", exact=True).click()
    editor = page.get_by_role("region", name="Role Helpers")
    assert await editor.get_by_role("switch", name="Manage Messages").is_enabled()
    assert await editor.get_by_role("switch", name="Ban Members").is_disabled()
    await editor.get_by_role("switch", name="Manage Messages").check()
    await until(
        manager,
        "() => Object.values(amityvox.app.state.roles[amityvox.app.ui.guildId]).some("
        "r => r.name === 'Helpers' && (BigInt(r.permissions_allow) & (1n << 23n)))",
    )

    # Moving Helpers above his own role is refused by the server, and the refusal is shown.
    await page.get_by_role("button", name="Move Helpers up").click()
    await page.locator(".toast", has_text="Moving Helpers failed").wait_for()
    order = await page.locator(".role-order .role-name").all_inner_texts()
    assert order == ["Admins", "Managers", "Helpers", "@everyone"], order

    # The owner drags Helpers to the top; both lists follow the server's new positions.
    await open_settings(owner, "Roles")
    rows = owner.page.locator(".role-order > li")
    await rows.filter(has_text="Helpers").drag_to(rows.filter(has_text="Admins"))
    for person in (owner, manager):
        await until(
            person,
            "() => [...document.querySelectorAll('.role-order .role-name')].map(b => b.textContent).join()"
            " === 'Helpers,Admins,Managers,@everyone'",
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await owner.page.screenshot(path=str(SCREENSHOTS / "roles-order-1280x800.png"))

    # @everyone's base permissions are switches too (the owner holds every bit).
    await owner.page.get_by_role("button", name="@everyone").click()
    reactions = owner.page.get_by_role("region", name="Role @everyone").get_by_role("switch", name="Add Reactions")
    assert await reactions.is_checked()
    await reactions.uncheck()
    await until(
        manager, "() => !(BigInt(amityvox.app.state.guilds[amityvox.app.ui.guildId].default_permissions) & (1n << 26n))"
    )
    for person in (owner, manager):
        await person.finish()
