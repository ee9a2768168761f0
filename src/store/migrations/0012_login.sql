-- The network's user through whom a profile's account is reached (the Facebook user
-- who manages a Page), where the network says: the profiles one sign-in renews together.
ALTER TABLE profiles ADD COLUMN login_id TEXT;
-- When someone last signed in for it (a renewal does not change it): a sign-in carried
-- from another machine that was made before it is refused.
ALTER TABLE profiles ADD COLUMN connected_at INTEGER;
CREATE INDEX profiles_login ON profiles (network, login_id) WHERE login_id IS NOT NULL;
