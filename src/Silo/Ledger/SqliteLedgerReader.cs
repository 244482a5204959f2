using System.Globalization;
using Dispatcher.Grains.Ledger;
using Microsoft.Data.Sqlite;

namespace Dispatcher.Silo.Ledger;

/// <summary>Reads ledger rows back into <see cref="RequestRecord"/>s.</summary>
internal static class SqliteLedgerReader
{
    private const string SelectById = """
        SELECT request_id, at_unix_ms, route, stream, status, outcome, served_model, provider,
            prompt_tokens, completion_tokens, cost_usd, attempts, virtual_key_id
        FROM requests WHERE request_id = $id;
        """;

    /// <summary>The record of <paramref name="requestId"/>, or null.</summary>
    /// <exception cref="InvalidDataException">The row cannot be parsed.</exception>
    public static async Task<RequestRecord?> FindAsync(SqliteConnection connection, string requestId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = SelectById;
        command.Parameters.AddWithValue("$id", requestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new RequestRecord(
            reader.GetString(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            reader.GetString(2),
            reader.GetInt64(3) != 0,
            reader.GetInt32(4),
            reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetInt32(8),
            reader.GetInt32(9),
            ParseDecimal(reader.GetString(10)),
            AttemptsJson.Read(reader.GetString(11)))
        {
            VirtualKeyId = reader.IsDBNull(12) ? null : reader.GetString(12),
        };
    }

    internal static decimal ParseDecimal(string text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"The ledger's cost '{text}' is not a decimal number.");
}
