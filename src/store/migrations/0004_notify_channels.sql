-- Notifications are remembered per channel (`command`, `webhook`): one that could not
-- be delivered on a channel is sent there on the next run, without repeating it on the
-- channel that did deliver it. What was sent before counts as sent on both.
CREATE TABLE notifications_by_channel (
    profile_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (profile_id, status, channel)
) STRICT;
INSERT INTO notifications_by_channel (profile_id, status, channel, sent_at)
    SELECT profile_id, status, 'command', sent_at FROM notifications;
INSERT INTO notifications_by_channel (profile_id, status, channel, sent_at)
    SELECT profile_id, status, 'webhook', sent_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_by_channel RENAME TO notifications;
