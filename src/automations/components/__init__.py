"""Built-in components, one module each; `registry.BUILTIN` lists them and imports one only
when it is asked for."""
