using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// Rose's own small parameterised reads on a target (catalog lookups, prior backups): every row at
/// once. Never user text and never a user's result set; those go through the executor's capped reads.
/// </summary>
internal static class CommandRows
{
    /// <summary>Binds the $n parameters (null as SQL NULL), runs the command and returns every row, database NULL as null.</summary>
    internal static async Task<List<object?[]>> ReadAllAsync(NpgsqlCommand cmd, IEnumerable<object?> parameters, CancellationToken ct)
    {
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        }

        var rows = new List<object?[]>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
