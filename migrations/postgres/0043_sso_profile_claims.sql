-- Which ID token claims fill which profile fields at each sign-in through a provider
-- (`sso::model::profile_claims`): lines of "field=claim", such as "department=department".
ALTER TABLE sso_providers ADD COLUMN profile_claims TEXT NOT NULL DEFAULT '';
