-- The time zone a person reads times in (an IANA name such as Europe/Berlin); empty: the site's.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
