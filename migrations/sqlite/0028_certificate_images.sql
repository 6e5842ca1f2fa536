-- Images certificate templates draw (a background or border, a logo, a signature). Kept in the
-- database beside the designs that name them, so every instance and every backup has them.
-- A row never changes: a new upload is a new row, and a design names the row it draws.
CREATE TABLE certificate_images (
    id INTEGER PRIMARY KEY,
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    data BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
