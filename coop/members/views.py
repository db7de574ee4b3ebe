"""Board pages of the member register and the public join form."""
