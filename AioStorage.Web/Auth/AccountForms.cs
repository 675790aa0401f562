using System.ComponentModel.DataAnnotations;

namespace AioStorage.Web.Auth;

/// <summary>The account rules of product.md, checked in the form before anything is sent to the api.</summary>
public static class AccountRules
{
    public const int UsernameMinLength = 3;
    public const int UsernameMaxLength = 50;
    public const int PasswordMinLength = 8;
    public const string UsernamePattern = "^[A-Za-z0-9_-]+$";

    // Deliberately loose (something@something.tld): the api has the last word, this only catches slips.
    public const string EmailPattern = @"^[^@\s]+@[^@\s]+\.[^@\s]+$";
}

public sealed class SignInForm
{
    [Required(ErrorMessage = "Enter your email address.")]
    [RegularExpression(AccountRules.EmailPattern, ErrorMessage = "Enter a valid email address, like name@example.com.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    public string Password { get; set; } = "";
}

public sealed class RegisterForm
{
    [Required(ErrorMessage = "Choose a username.")]
    [StringLength(AccountRules.UsernameMaxLength, MinimumLength = AccountRules.UsernameMinLength,
        ErrorMessage = "A username is 3 to 50 characters long.")]
    [RegularExpression(AccountRules.UsernamePattern, ErrorMessage = "Use only letters, digits, _ and - in a username.")]
    public string Username { get; set; } = "";

    [Required(ErrorMessage = "Enter your email address.")]
    [RegularExpression(AccountRules.EmailPattern, ErrorMessage = "Enter a valid email address, like name@example.com.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    [MinLength(AccountRules.PasswordMinLength, ErrorMessage = "A password has at least 8 characters.")]
    public string Password { get; set; } = "";
}
