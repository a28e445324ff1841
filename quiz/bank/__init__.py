"""Question bank files <-> validated specs <-> database: load (pure), sync, export."""
