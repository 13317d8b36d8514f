using System.ComponentModel.DataAnnotations;

namespace S2cd.Configuration;

/// <summary>
/// The range an option allows, whose failure reads "MIN to MAX": the daemon's messages say
/// "KEY = 'VALUE': expected MIN to MAX". A <see cref="RangeAttribute"/> with that ErrorMessage would do, but the
/// options validation source generator replaces RangeAttribute with its own copy, which ignores ErrorMessage;
/// a derived attribute it uses as it is.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class InRangeAttribute : RangeAttribute
{
    public InRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
        ErrorMessage = "{1} to {2}";
    }
}
