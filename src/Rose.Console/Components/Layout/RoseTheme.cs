namespace Rose.Console.Components.Layout;

/// <summary>
/// The console's light and dark palettes. Colours are picked for at least 4.5:1 contrast of text on
/// its background in both modes (axe-core's colour-contrast rule runs on every page in E2E).
/// </summary>
public static class RoseTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#ad1457",
            Secondary = "#37474f",
            Tertiary = "#00695c",
            Info = "#0d47a1",
            Success = "#1b5e20",
            Warning = "#8a4b00",
            Error = "#b71c1c",
            AppbarBackground = "#ad1457",
            AppbarText = "#ffffff",
            Background = "#f6f6f8",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "rgba(0,0,0,0.87)",
            TextSecondary = "rgba(0,0,0,0.68)",
            ActionDefault = "rgba(0,0,0,0.68)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#f48fb1",
            PrimaryContrastText = "#1a1a27",
            Secondary = "#b0bec5",
            Tertiary = "#80cbc4",
            Info = "#90caf9",
            Success = "#a5d6a7",
            Warning = "#ffcc80",
            Error = "#ef9a9a",
            AppbarBackground = "#1f1f2b",
            AppbarText = "#ffffff",
            Background = "#16161e",
            Surface = "#1f1f2b",
            DrawerBackground = "#1b1b25",
            TextPrimary = "rgba(255,255,255,0.92)",
            TextSecondary = "rgba(255,255,255,0.72)",
            ActionDefault = "rgba(255,255,255,0.72)",
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "220px" },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"] },
            H1 = new H1Typography { FontSize = "1.6rem", FontWeight = "600", LineHeight = "1.3", LetterSpacing = "0" },
            H2 = new H2Typography { FontSize = "1.2rem", FontWeight = "600", LineHeight = "1.4", LetterSpacing = "0" },
            H3 = new H3Typography { FontSize = "1rem", FontWeight = "600", LineHeight = "1.4", LetterSpacing = "0" },
            Button = new ButtonTypography { TextTransform = "none", FontWeight = "500" },
        },
    };
}
