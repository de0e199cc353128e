// Schema version 6: the key rotation statements this install followed (docs/key-rotation.md), in seq order.
// The trusted key set is not stored: it is derived again at every start by following these from the app's
// built-in keys, so a row can never hand out trust by itself, and an app built with newer keys still joins.
export const version = 6;

export const statements: readonly string[] = [
  `CREATE TABLE key_statements (
     seq INTEGER PRIMARY KEY,
     json TEXT NOT NULL,
     source_id TEXT NOT NULL,
     adopted INTEGER NOT NULL
   )`,
];
