"""The light read side: plain DB-API connections and every SELECT the library runs."""
