using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using Rose.Core.Control;

namespace Rose.Console.Hosting.KeyRing;

/// <summary>
/// The Data Protection key ring in rose.data_protection_keys, shared by every console on the control
/// database. Data Protection calls these synchronously and rarely (at start, at a key's rotation, and when
/// a payload names a key this console has not seen), so plain synchronous commands are fine here.
/// Elements arrive already encrypted (see <see cref="KeyFileXmlEncryptor"/> or the certificate).
/// </summary>
public sealed class ControlDatabaseXmlRepository(ControlDatabase control) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = new List<XElement>();
        using var conn = control.DataSource.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT xml FROM rose.data_protection_keys ORDER BY id", conn);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        // Friendly names are "key-<guid>" (or "revocation-<time>"): unique per element, so a retry stores nothing twice.
        using var conn = control.DataSource.OpenConnection();
        using var cmd = new NpgsqlCommand(
            "INSERT INTO rose.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = string.IsNullOrEmpty(friendlyName) ? "element-" + Guid.NewGuid().ToString("N") : friendlyName });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = element.ToString(SaveOptions.DisableFormatting) });
        cmd.ExecuteNonQuery();
    }
}
