"""Reading a submitted workbook: the guard before any parser, the fast reader, the XML scan,
headers, merged cells, total rows and the typing of each column."""
