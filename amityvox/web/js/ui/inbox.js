// @ts-check
// Notifications follow reading: when this tab reads a channel up to a message (its
// CHANNEL_ACK), the unread notifications about that channel up to that message are marked
// read on the server, so the bell's count drops in every tab (NOTIFICATION_UPDATE).

/** Mark read the notifications about `channelId` at or before `messageId`. */
export function readUpTo(app, channelId, messageId) {
  const stale = Object.values(app.state.notifications)
    .filter((n) => !n.read && n.channel_id === channelId && (!n.message_id || !messageId || n.message_id <= messageId));
  for (const n of stale) {
    n.read = true; // the badge drops now; NOTIFICATION_UPDATE confirms it
    app.api.patch(`/notifications/${n.id}`, { read: true }).catch(() => {
      n.read = false;
      app.render();
    });
  }
  if (stale.length) app.render();
}
