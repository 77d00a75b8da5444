using System.Text;
using Rose.Console.Components.Pages.Audit;
using Rose.Core.Export;

namespace Rose.Console.Api;

/// <summary>GET /audit/export (CSV of a filtered audit view) and GET /api/v1/audit/verify (hash-chain check).</summary>
internal static class AuditEndpoints
{
    /// <summary>Rows between flushes: the client sees data early and memory stays flat whatever the size.</summary>
    private const int FlushEvery = 200;

    public static void MapExport(WebApplication app)
    {
        // Cookie users only (viewer and up): a page link, answered with a sign-in redirect like the page
        // itself. Agents read the same rows through GET /api/v1/sql/logs.
        app.MapGet("/audit/export", ExportAsync)
            .RequireAuthorization(RosePolicies.Viewer)
            .WithName("AuditExport")
            .WithSummary("The filtered audit log as RFC 4180 CSV, newest first, streamed; takes the /audit page's query string.");
    }

    public static void MapApi(RouteGroupBuilder api)
    {
        api.MapGet("/audit/verify", async (AuditChainVerifier verifier, long? from, long? to, CancellationToken ct) =>
        {
            if (from is < 1 || to is < 1 || (from is not null && to is not null && from > to))
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", "from and to must be audit ids with from <= to."));
            }

            var report = await verifier.VerifyAsync(from, to, ct);
            return Results.Ok(new
            {
                valid = report.Valid,
                rows_checked = report.RowsChecked,
                first_broken_id = report.FirstBrokenId,
                problem = report.Problem,
                unfinished = report.Unfinished,
                first_unfinished_id = report.FirstUnfinishedId,
            });
        }).RequireAuthorization(RosePolicies.Reader).WithName("AuditVerify").WithSummary("Recomputes the audit hash chain over an id range and names the first broken row.");

        // Admins export the signed checkpoints to keep a copy of the chain's head somewhere the database's owner cannot reach.
        api.MapGet("/audit/checkpoints", async (Rose.Core.Audit.Checkpoints.AuditCheckpoints checkpoints, CancellationToken ct) =>
            Results.Ok(new
            {
                chain = checkpoints.Chain,
                checkpoints = (await checkpoints.ListAsync(ct)).Select(c => new
                {
                    id = c.Checkpoint.Id,
                    hash = c.Checkpoint.Hash,
                    time = c.Checkpoint.Time,
                    signature = c.Checkpoint.Signature,
                    signature_valid = c.SignatureValid,
                }),
            }))
            .RequireAuthorization(RosePolicies.Admin).WithName("AuditCheckpoints")
            .WithSummary("The signed checkpoints of the audit chain's head (HMAC-SHA256 with a key outside the control database), oldest first.");
    }

    private static async Task ExportAsync(HttpContext http, AuditReader reader, CancellationToken ct)
    {
        var filter = AuditQueryString.Parse(http.Request.Query.ToDictionary(q => q.Key, q => q.Value));
        http.Response.ContentType = "text/csv; charset=utf-8; header=present";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"rose-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv\"";
        http.Response.Headers.CacheControl = "no-store";
        // Buffering would defeat streaming a log of millions of rows.
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        await AuditCsv.WriteRowAsync(writer, AuditCsv.Header, ct);
        var count = 0;
        await foreach (var entry in reader.StreamAsync(filter, ct))
        {
            await AuditCsv.WriteRowAsync(writer, AuditCsv.Fields(entry), ct);
            if (++count % FlushEvery == 0)
            {
                await writer.FlushAsync(ct);
            }
        }

        await writer.FlushAsync(ct);
    }
}
