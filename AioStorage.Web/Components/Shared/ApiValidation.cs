using AioStorage.Web.Api;
using Microsoft.AspNetCore.Components.Forms;

namespace AioStorage.Web.Components.Shared;

public static class ApiValidation
{
    /// <summary>
    /// Puts the api's per-field validation errors next to the matching inputs. The api names fields in camelCase
    /// (sometimes as a JSON path like <c>$.email</c>), the form model in PascalCase.
    /// </summary>
    public static void Show(ApiProblem problem, object model, ValidationMessageStore store, EditContext context)
    {
        foreach (var (key, messages) in problem.Errors)
        {
            var name = key.TrimStart('$', '.');
            var property = model.GetType().GetProperties()
                .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is not null)
            {
                store.Add(new FieldIdentifier(model, property.Name), messages);
            }
        }

        context.NotifyValidationStateChanged();
    }
}
