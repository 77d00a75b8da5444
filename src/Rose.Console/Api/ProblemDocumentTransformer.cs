using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Rose.Console.Api;

/// <summary>
/// Makes the OpenAPI document say what the API answers on errors. Every 4xx/5xx under /api is turned into an
/// RFC 9457 problem document by <see cref="ApiProblems"/> at run time, whatever type an endpoint declared, so the
/// document replaces each error response's body with one shared RoseProblem schema (application/problem+json), and
/// lists the errors every /api/v1 operation can meet whether or not the endpoint declares them: 401 without a
/// credential, 403 for a role that may not, 429 from the rate limiter, 503 when the control database is away.
/// </summary>
internal sealed class ProblemDocumentTransformer : IOpenApiDocumentTransformer
{
    internal const string SchemaName = "RoseProblem";
    private const string ProblemMediaType = "application/problem+json";

    private static readonly (string Status, string Description)[] CommonErrors =
    [
        ("401", "No credential, or one that is not valid (code unauthorized)."),
        ("403", "This identity may not use this endpoint (code forbidden)."),
        ("429", "Too many requests; Retry-After says when to try again (code rate_limited)."),
        ("503", "The control database is unavailable; Retry-After says when to try again (code unavailable)."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        document.Components.Schemas[SchemaName] = ProblemSchema();

        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || item.Operations is null)
            {
                continue;
            }

            foreach (var operation in item.Operations.Values)
            {
                operation.Responses ??= new OpenApiResponses();
                foreach (var (status, description) in CommonErrors)
                {
                    if (!operation.Responses.ContainsKey(status))
                    {
                        operation.Responses[status] = new OpenApiResponse { Description = description };
                    }
                }

                foreach (var (status, response) in operation.Responses)
                {
                    if (IsError(status) && response is OpenApiResponse concrete)
                    {
                        concrete.Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                        {
                            [ProblemMediaType] = new() { Schema = new OpenApiSchemaReference(SchemaName, document) },
                        };
                        if (string.IsNullOrEmpty(concrete.Description))
                        {
                            concrete.Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                }
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsError(string status) =>
        status.Length == 3 && status[0] is '4' or '5' && int.TryParse(status, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>The members <see cref="ApiProblems"/> writes; extensions beyond these depend on the endpoint.</summary>
    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem document. type is urn:rose:problem:<code>; Rose adds code, error (the detail, as "
            + "Rose's answers carried it before), and where they apply reasons, sqlstate, audit_id and what the endpoint answered besides.",
        Required = new HashSet<string>(StringComparer.Ordinal) { "type", "title", "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = Text("urn:rose:problem:<code>"),
            ["title"] = Text("A short summary of the code."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The HTTP status." },
            ["detail"] = Text("What went wrong, for a person or an agent to act on."),
            ["code"] = Text("Rose's outcome: bad_request, unauthorized, forbidden, denied, not_found, conflict, failed, cancelled, rate_limited, unavailable..."),
            ["error"] = Text("The detail again, for clients of earlier versions."),
            ["reasons"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text(null), Description = "Why the policy denied or parked the request." },
            ["sqlstate"] = Text("PostgreSQL's SQLSTATE when the database refused the statement."),
            ["audit_id"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The audit entry that records the attempt." },
        },
        AdditionalPropertiesAllowed = true,
    };

    private static OpenApiSchema Text(string? description) => new() { Type = JsonSchemaType.String, Description = description };
}
