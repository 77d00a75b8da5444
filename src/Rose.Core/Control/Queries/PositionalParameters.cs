using System.Data;
using Dapper;
using Npgsql;

namespace Rose.Core.Control.Queries;

/// <summary>
/// Dapper parameters for $1, $2 ... in the order they were added. Rose runs with Npgsql's SQL
/// rewriting off (<see cref="Execution.NpgsqlSettings"/>): the server receives each command's text as
/// one extended-protocol statement, so a smuggled second statement is refused. Dapper's named
/// parameter objects (@name) would need that rewriting, so the control stores pass unnamed
/// parameters through this class instead, and Dapper only maps the rows.
/// </summary>
internal sealed class PositionalParameters : SqlMapper.IDynamicParameters
{
    private readonly List<NpgsqlParameter> parameters = [];

    public PositionalParameters(params NpgsqlParameter[] values)
    {
        foreach (var value in values)
        {
            Add(value);
        }
    }

    public int Count => parameters.Count;

    /// <summary>Adds the next parameter and returns its placeholder ("$3"), for SQL built clause by clause.</summary>
    /// <exception cref="ArgumentException">The parameter is named: without rewriting, names cannot bind.</exception>
    public string Add(NpgsqlParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!string.IsNullOrEmpty(parameter.ParameterName))
        {
            throw new ArgumentException(
                $"Parameter '{parameter.ParameterName}' is named; the control stores bind by position ($n) because Npgsql's SQL rewriting is off.",
                nameof(parameter));
        }

        parameters.Add(parameter);
        return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    void SqlMapper.IDynamicParameters.AddParameters(IDbCommand command, SqlMapper.Identity identity)
    {
        var npgsql = command as NpgsqlCommand
            ?? throw new InvalidOperationException($"Positional parameters need an Npgsql command, not {command.GetType().Name}.");
        foreach (var parameter in parameters)
        {
            // A parameter belongs to one collection; a clone lets the same set run again (a retry, a second page).
            npgsql.Parameters.Add(parameter.Clone());
        }
    }
}
