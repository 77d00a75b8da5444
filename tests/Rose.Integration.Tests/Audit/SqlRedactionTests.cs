using Rose.Core.Audit.Redaction;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// Every way a credential was seen to reach the audit log, through the real lexer and parser: the
/// secret must be gone and the statement around it kept.
/// </summary>
public sealed class SqlRedactionTests
{
    public static TheoryData<string, string, string> Variants => new()
    {
        // name, sql, text that must survive (the statement stays readable)
        { "role plain", "CREATE ROLE r LOGIN PASSWORD 's3cret'", "CREATE ROLE r LOGIN PASSWORD " },
        { "user dollar", "CREATE USER u PASSWORD $$s3cret$$", "CREATE USER u PASSWORD " },
        { "user tagged dollar", "CREATE USER u PASSWORD $pw$s3cret$pw$", "CREATE USER u PASSWORD " },
        { "alter E string", @"ALTER ROLE r WITH PASSWORD E's3\'cret'", "ALTER ROLE r WITH PASSWORD " },
        { "alter unicode", @"ALTER USER u PASSWORD U&'s3\0063ret'", "ALTER USER u PASSWORD " },
        { "encrypted", "CREATE ROLE r ENCRYPTED PASSWORD 's3cret' VALID UNTIL 'infinity'", "VALID UNTIL 'infinity'" },
        { "block comment", "CREATE USER u PASSWORD /*c*/ 's3cret'", "/*c*/" },
        { "line comment", "CREATE USER u PASSWORD -- c\n's3cret'", "-- c\n" },
        { "doubled quotes", "ALTER ROLE r PASSWORD 's3''cret'", "ALTER ROLE r PASSWORD " },
        { "user mapping", "CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password 's3cret')", "user 'bob'" },
        { "quoted option name", "ALTER USER MAPPING FOR bob SERVER s OPTIONS (SET \"password\" 's3cret')", "OPTIONS (SET \"password\" " },
        { "server token option", "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'h', api_token 's3cret')", "host 'h'" },
        { "fdw secret option", "CREATE FOREIGN DATA WRAPPER w OPTIONS (client_secret 's3cret')", "CREATE FOREIGN DATA WRAPPER w" },
        { "dblink uri", "SELECT * FROM dblink('postgresql://u:s3cret@h/db', 'SELECT 1') AS t(x int)", "'SELECT 1'" },
        { "conninfo", "SELECT dblink_connect('host=h dbname=d password=s3cret')", "SELECT dblink_connect(" },
        { "conninfo spaced double quotes", "SELECT dblink_connect('host=h password = \"s3cret\"')", "dblink_connect" },
        { "concatenated conninfo", "SELECT dblink_connect('host=h password=' || 's3cret')", "dblink_connect" },
        { "concatenated uri", "SELECT dblink_connect('postgresql://u:' || 's3cret' || '@h/db')", "dblink_connect" },
        { "E string conninfo", @"SELECT dblink_connect(E'host=h\npassword=s3cret')", "dblink_connect" },
        { "unicode hides key", @"SELECT dblink_connect(U&'host=h \0070assword=s3cret')", "dblink_connect" },
        { "uri query password", "SELECT dblink_connect('postgresql://h/db?user=u&password=s3cret')", "dblink_connect" },
        { "subscription", "CREATE SUBSCRIPTION sub CONNECTION 'host=h password=s3cret' PUBLICATION p", "CREATE SUBSCRIPTION sub CONNECTION " },
        { "update column", "UPDATE accounts SET password = 's3cret' WHERE id = 1", "WHERE id = 1" },
        { "do body", "DO $$BEGIN EXECUTE 'CREATE ROLE x PASSWORD ''s3cret'''; END$$", "DO " },
        { "second statement", "SELECT 1; CREATE ROLE r PASSWORD 's3cret'; SELECT 2", "SELECT 2" },
        { "does not parse", "CREATE ROLE r PASSWORD 's3cret' BOGUS GRAMMAR (", "BOGUS GRAMMAR (" },
        { "unterminated quote", "CREATE ROLE r PASSWORD 's3cret", "CREATE ROLE r PASSWORD " },
        { "after NUL", "SELECT 1;\0 CREATE ROLE r PASSWORD 's3cret'", "SELECT 1;" },
        { "multibyte before", "SELECT 'ünïcødé 🌹'; CREATE ROLE r PASSWORD 's3cret'", "'ünïcødé 🌹'" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Redact_RemovesTheSecret_KeepsTheStatement(string name, string sql, string kept)
    {
        var redacted = SqlRedactor.Redact(sql);

        Assert.DoesNotContain("s3", redacted, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(SqlRedactor.Mask, redacted, StringComparison.Ordinal);
        Assert.True(redacted.Contains(kept, StringComparison.Ordinal), $"{name}: '{kept}' lost from {redacted}");
    }

    [Theory]
    [InlineData("SELECT 'hello', name FROM t WHERE note = 'password reset requested'")]
    [InlineData("INSERT INTO links (url) VALUES ('https://example.com/a?b=c')")]
    [InlineData("CREATE ROLE r PASSWORD NULL")]
    public void Redact_LeavesOrdinarySqlAlone(string sql) => Assert.Equal(sql, SqlRedactor.Redact(sql));

    [Fact]
    public void Redact_ReplacesExactlyTheLiteralBytes() =>
        Assert.Equal("ALTER ROLE r PASSWORD /*c*/ '***' VALID UNTIL '2030-01-01'",
            SqlRedactor.Redact("ALTER ROLE r PASSWORD /*c*/ E'x\\'y' VALID UNTIL '2030-01-01'"));
}
