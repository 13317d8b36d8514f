using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace S2cd.Hosting;

/// <summary>
/// The data annotations on an options class (the ranges its properties allow), checked the way the daemon reports
/// every configuration problem: the first failure as one line naming the key, its value and what is allowed.
/// </summary>
internal static class AnnotatedOptions
{
    public static string? Check<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(string section, T options)
        where T : class
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return null;
        }

        var failure = results[0];
        var member = failure.MemberNames.First();
        var value = typeof(T).GetProperty(member)?.GetValue(options);
        return OptionsValidator.Describe($"{section}:{member}", value, failure.ErrorMessage ?? "a valid value");
    }
}
