"""Reading deck files: parsing and validation (file:line errors), the parsed-deck cache, the JSON
Schema and the starter deck."""
